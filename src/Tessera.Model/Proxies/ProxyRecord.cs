using Tessera.Model.Topology;

namespace Tessera.Model.Proxies;

/// <summary>
/// A running proxy as it registers itself in the coordinator store (an ephemeral record tied to its
/// lease): where clients reach it, where the controller pushes routes, and its zone.
/// </summary>
public sealed record ProxyRecord
{
    /// <summary>Unique per process start (host, port and a random suffix).</summary>
    public required string Id { get; init; }

    /// <summary>Client address, host:port.</summary>
    public required string Address { get; init; }

    /// <summary>Admin HTTP base URL, e.g. http://127.0.0.1:19100.</summary>
    public required string AdminUrl { get; init; }

    public string? Zone { get; init; }

    /// <summary>host:port clients are told to reach (the cluster face, discovery); null when that is <see cref="Address"/>.</summary>
    public string? Announce { get; init; }

    /// <summary>
    /// The port of the proxy's TLS client listener, on the host of <see cref="ClientAddress"/>: the --tls-listen port
    /// next to a plain <see cref="Address"/>, or <see cref="Address"/>'s own port when it speaks TLS; null without TLS.
    /// The cluster face gives it to TLS connections.
    /// </summary>
    public int? TlsPort { get; init; }

    /// <summary>True when <see cref="Address"/> speaks TLS only (no plain listener): the cluster face lists it to TLS connections only.</summary>
    public bool TlsOnly { get; init; }

    /// <summary>True when the proxy answers as a Redis Cluster node (its cluster face is on): only those are in the cluster face's table.</summary>
    public bool ClusterFace { get; init; }

    /// <summary>What clients should connect to: <see cref="Announce"/>, else <see cref="Address"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string ClientAddress => Announce ?? Address;

    public int ProcessId { get; init; }

    public DateTimeOffset StartedAt { get; init; }
}

/// <summary>What a proxy reports about one namespace it serves: the epoch it applied and its routing signature.</summary>
public sealed record ProxyNamespaceState(string Name, long Epoch, string Signature);

/// <summary>A proxy's answer to GET /api/topology and to a route push.</summary>
public sealed record ProxyRoutesState
{
    public required string Id { get; init; }

    /// <summary>True while the proxy refuses clients because it could not renew its lease.</summary>
    public bool Fenced { get; init; }

    public IReadOnlyList<ProxyNamespaceState> Namespaces { get; init; } = [];
}

/// <summary>
/// Body of POST /api/routes on a proxy: one namespace's complete routes at their new epoch. The proxy
/// applies it when the epoch is newer than what it serves (equal is an idempotent repeat), holds
/// requests for slots in state locked, and answers once requests already sent for changed slots have
/// been answered. <see cref="Removed"/> drops the namespace.
/// </summary>
public sealed record RoutePush
{
    public required NamespaceConfig Namespace { get; init; }

    public bool Removed { get; init; }
}
