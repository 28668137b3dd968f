using Tessera.Proxy.Commands;

namespace Tessera.Proxy.Tenants;

/// <summary>
/// One namespace's live state on this proxy, the same object for the proxy's whole life (sessions keep a reference):
/// the settings sessions check per command, kept current from the routes, and its counters.
/// </summary>
internal sealed class Tenant
{
    private long _authFailures;
    private ulong _denied;
    private int _connections;
    private long _quotaWaits;
    private long _bytesReceived;
    private long _bytesSent;

    // The metric labels of each command in this namespace, by CommandPolicy.Ordinal: an array read per command, no hashing.
    private Stats.CommandTags?[] _commandTags = [];

    public Tenant(string name) => Name = name;

    /// <summary>The metric labels of <paramref name="spec"/> (policy place <paramref name="ordinal"/> of <paramref name="count"/>) in this namespace, made on first use and kept.</summary>
    public Stats.CommandTags TagsOf(Resp.Commands.CommandSpec spec, int ordinal, int count)
    {
        var tags = Volatile.Read(ref _commandTags);
        if ((uint)ordinal < (uint)tags.Length && tags[ordinal] is { } known)
        {
            return known;
        }

        lock (this)
        {
            tags = _commandTags.Length == count ? _commandTags : [.. _commandTags, .. new Stats.CommandTags?[count - _commandTags.Length]];
            tags[ordinal] ??= new Stats.CommandTags(Name, spec.Name);
            Volatile.Write(ref _commandTags, tags);
            return tags[ordinal]!;
        }
    }

    public string Name { get; }

    /// <summary>The read-only switch (<see cref="Model.Topology.NamespaceConfig.ReadOnly"/>).</summary>
    public bool ReadOnly
    {
        get => Denied != 0;
        set => Volatile.Write(ref _denied, value ? AclMask.ReadOnlyRefused : 0);
    }

    /// <summary>What the namespace denies every session of it (<see cref="AclMask"/>): the writes while read-only.</summary>
    public ulong Denied => Volatile.Read(ref _denied);

    /// <summary>The networks clients may come from (<see cref="Model.Topology.NamespaceConfig.AllowedIps"/>); empty: any.</summary>
    public IReadOnlyList<System.Net.IPNetwork> AllowedNetworks { get; set; } = [];

    /// <summary>The allow-list as configured, to see whether a new one differs.</summary>
    public IReadOnlyList<string> AllowedIps { get; set; } = [];

    /// <summary>Clients must connect over TLS (<see cref="Model.Topology.NamespaceConfig.RequireTls"/>).</summary>
    public bool RequireTls { get; set; }

    /// <summary>The client certificate identities that bind to the namespace, as configured.</summary>
    public IReadOnlyList<string> ClientCertificates { get; set; } = [];

    /// <summary>Clients may use it without a password.</summary>
    public bool Open { get; set; }

    /// <summary>False once the namespace is gone from the proxy's routes.</summary>
    public bool Exists { get; set; }

    /// <summary>The namespace's limits as configured (cluster-wide), or null.</summary>
    public Model.Topology.NamespaceQuota? Quota { get; set; }

    /// <summary>This proxy's share of the ops/s limit, or null when there is none.</summary>
    public QuotaBucket? Ops { get; set; }

    /// <summary>This proxy's share of the bytes/s (in) limit, or null when there is none.</summary>
    public QuotaBucket? BytesIn { get; set; }

    /// <summary>This proxy's share of the bytes/s (out) limit, or null when there is none.</summary>
    public QuotaBucket? BytesOut { get; set; }

    /// <summary>Largest request accepted, 0 for no limit.</summary>
    public long MaxRequestBytes { get; set; }

    /// <summary>This proxy's share of the connection limit, 0 for no limit.</summary>
    public long MaxConnections { get; set; }

    /// <summary>True when a session must check a quota per command (ops, bytes or request size).</summary>
    public bool Limited { get; set; }

    /// <summary>Sessions bound to the namespace on this proxy now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Counts a session in; false (nothing counted) when the namespace is at its connection limit here.</summary>
    public bool TryAddConnection()
    {
        while (true)
        {
            int current = Volatile.Read(ref _connections);
            long max = MaxConnections;
            if (max > 0 && current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _connections, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void RemoveConnection() => Interlocked.Decrement(ref _connections);

    /// <summary>AUTHs naming this namespace that failed, since the proxy started.</summary>
    public long AuthFailures => Interlocked.Read(ref _authFailures);

    public void CountAuthFailure() => Interlocked.Increment(ref _authFailures);

    /// <summary>Times a session of the namespace paused for its quota, since the proxy started.</summary>
    public long QuotaWaits => Interlocked.Read(ref _quotaWaits);

    public void CountQuotaWait() => Interlocked.Increment(ref _quotaWaits);

    /// <summary>Bytes of commands the namespace's clients sent, since the proxy started.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes of replies the proxy wrote to the namespace's clients, since it started.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Adds a session's traffic of one read pass (once per pass, not per command: the sessions share these counters).</summary>
    public void AddTraffic(long received, long sent)
    {
        if (received > 0)
        {
            Interlocked.Add(ref _bytesReceived, received);
        }

        if (sent > 0)
        {
            Interlocked.Add(ref _bytesSent, sent);
        }
    }
}
