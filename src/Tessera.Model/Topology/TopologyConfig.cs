namespace Tessera.Model.Topology;

/// <summary>
/// The wanted routing state: namespaces, their groups and slot assignment. Immutable; a new
/// topology is a new instance. Comes from a topology file today and from the coordinator store
/// once the controller exists.
/// </summary>
public sealed record TopologyConfig
{
    /// <summary>Monotonic version of this topology; a proxy never goes back to an older one.</summary>
    public long Epoch { get; init; }

    public IReadOnlyList<NamespaceConfig> Namespaces { get; init; } = [];
}

/// <summary>A tenant: its own groups and its own 1024-slot table.</summary>
public sealed record NamespaceConfig
{
    public required string Name { get; init; }

    /// <summary>
    /// Version of this namespace's routes; every change written by the controller increases it, and a
    /// proxy never applies an older one. 0 in topology files, where the file's own epoch rules.
    /// </summary>
    public long Epoch { get; init; }

    public IReadOnlyList<GroupConfig> Groups { get; init; } = [];

    public IReadOnlyList<SlotRangeConfig> Slots { get; init; } = [];

    /// <summary>Lets clients run FLUSHDB/FLUSHALL through the proxy (they erase every group of the namespace); off by default.</summary>
    public bool AllowFlush { get; init; }

    /// <summary>
    /// Clients may use the namespace without a password: a connection that never AUTHs is served by the open
    /// namespace named "default", and <c>AUTH &lt;namespace&gt; &lt;anything&gt;</c> binds to any open one. Off by
    /// default; <c>tessera up</c> makes "default" open for quick starts. A proxy serving a topology file treats
    /// every namespace as open (it has no users to check).
    /// </summary>
    public bool Open { get; init; }

    /// <summary>The read-only switch: writes answer -READONLY naming the namespace, reads go on.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// Client addresses allowed to use the namespace (CIDR, IPv4 or IPv6; <see cref="Tenants.AllowList"/>), checked at
    /// AUTH and again for live connections when the list changes; empty: any address. Behind a load balancer the
    /// address is the one its PROXY protocol header gives.
    /// </summary>
    public IReadOnlyList<string> AllowedIps { get; init; } = [];

    /// <summary>Cluster-wide limits of the namespace; null: none. Each proxy enforces its share (limit ÷ live proxies).</summary>
    public NamespaceQuota? Quota { get; init; }

    /// <summary>Where read-only commands go (<see cref="ReadSettings"/>); null: every command at the master.</summary>
    public ReadSettings? Reads { get; init; }

    /// <summary>
    /// Clients must reach the namespace over TLS: AUTH (and binding by a client certificate) on a plain TCP connection
    /// is refused, and plain connections already bound are closed when it is switched on.
    /// </summary>
    public bool RequireTls { get; init; }

    /// <summary>
    /// Client certificate identities (canonical <see cref="Tenants.ClientCertificateIdentity"/> forms: a subject, a SAN
    /// DNS name or a SHA-256 fingerprint) that bind a TLS connection presenting such a certificate to this namespace
    /// without AUTH. Only useful on a listener that verifies client certificates (mutual TLS). Empty: none.
    /// </summary>
    public IReadOnlyList<string> ClientCertificates { get; init; } = [];
}

/// <summary>
/// A namespace's limits, cluster-wide; a null or 0 field is no limit. Bursts are smoothed by pausing the reads of
/// the connection over its share (backpressure), not by errors in the middle of a pipeline.
/// </summary>
public sealed record NamespaceQuota
{
    /// <summary>Commands per second (each command of a pipeline or a transaction counts).</summary>
    public long? OpsPerSecond { get; init; }

    /// <summary>Request bytes per second, as clients send them.</summary>
    public long? BytesInPerSecond { get; init; }

    /// <summary>Reply bytes per second sent to clients (charged after they are written: reads pause until the bucket has them).</summary>
    public long? BytesOutPerSecond { get; init; }

    /// <summary>Client connections authenticated to the namespace at once.</summary>
    public long? MaxConnections { get; init; }

    /// <summary>Largest single request, in bytes.</summary>
    public long? MaxRequestBytes { get; init; }

    /// <summary>True when no field sets a limit.</summary>
    public bool IsEmpty => OpsPerSecond is null or 0 && BytesInPerSecond is null or 0 && BytesOutPerSecond is null or 0 && MaxConnections is null or 0 && MaxRequestBytes is null or 0;
}

/// <summary>One master and its replicas, addressed as "host:port".</summary>
public sealed record GroupConfig
{
    public required int Id { get; init; }

    public required string Master { get; init; }

    public IReadOnlyList<string> Replicas { get; init; } = [];

    /// <summary>Zone label per server address ("host:port" → zone), for nearest-replica reads; servers without one are absent.</summary>
    public IReadOnlyDictionary<string, string> Zones { get; init; } = new Dictionary<string, string>();
}

/// <summary>Slots <see cref="From"/>..<see cref="To"/> (inclusive) served by group <see cref="Group"/>.</summary>
public sealed record SlotRangeConfig
{
    public required int From { get; init; }

    public required int To { get; init; }

    public required int Group { get; init; }

    /// <summary>Online (served by <see cref="Group"/>), locked (requests wait while proxies switch), or migrating to <see cref="Target"/>.</summary>
    public SlotState State { get; init; } = SlotState.Online;

    /// <summary>The group the slots move to while <see cref="State"/> is <see cref="SlotState.Migrating"/>.</summary>
    public int? Target { get; init; }
}
