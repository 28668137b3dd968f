namespace Tessera.Proxy.Cluster;

/// <summary>
/// The proxy's Redis Cluster face (<see cref="ProxyOptions.ClusterFace"/>): the current <see cref="ClusterTable"/>s,
/// rebuilt whenever the store's list of live proxies changes, and this proxy's own entry in them.
/// </summary>
/// <remarks>
/// <para>
/// A table per kind of connection (<see cref="TableFor"/>), each over the live face proxies that connection can use:
/// by scope, every face proxy, or (a connection whose namespace reads in mode nearest) those of this proxy's own zone
/// (<see cref="Zone"/>), so a cluster client connected in az1 only ever uses az1 proxies, whose nearest reads stay
/// in az1; by transport, a TLS connection's table holds the proxies that serve TLS and names their TLS ports, a plain
/// connection's those with a plain listener. In a fleet where every proxy has the same listeners the two transports'
/// tables list the same proxies with the same ranges, only the ports differ.
/// </para>
/// <para>
/// Every proxy computes the same table of a kind from the same listing (rendezvous hashing over the chosen node ids
/// alone), so every proxy of a zone answers the same zone table for the same epoch.
/// </para>
/// </remarks>
internal sealed class ClusterFace
{
    private static readonly ClusterTable Empty = ClusterTable.Build([], null);

    private readonly Lock _gate = new();

    // Indexed by Index(zoneScoped, tls, fenced); swapped whole.
    private ClusterTable[] _tables = [Empty, Empty, Empty, Empty, Empty, Empty, Empty, Empty];
    private ClusterMember? _self;
    private IReadOnlyList<ClusterMember> _others = [];
    private bool _leaving;

    public ClusterFace(bool enabled, string? zone = null)
    {
        Enabled = enabled;
        Zone = string.IsNullOrEmpty(zone) ? null : zone;
    }

    /// <summary>This proxy's zone (null: none, and there is no zone-scoped table).</summary>
    public string? Zone { get; }

    /// <summary>True when CLUSTER and ASKING are answered (off: refused, as by a standalone proxy).</summary>
    public bool Enabled { get; }

    /// <summary>This proxy (CLUSTER MYID), also while it is leaving; null until it listens.</summary>
    public ClusterMember? Self => Volatile.Read(ref _self);

    /// <summary>What a plain connection outside the zone scope is answered (CLUSTER SLOTS, SHARDS and NODES) now.</summary>
    public ClusterTable Table => TableFor(zoneScoped: false, fenced: false);

    /// <summary>
    /// What a connection is answered: over the face proxies of this proxy's zone when <paramref name="zoneScoped"/> (its
    /// namespace reads nearest) and this proxy has a zone, else over all of them; of those, the ones serving the
    /// connection's transport (<paramref name="tls"/>). A fenced proxy (it lost its lease, so the others have dropped
    /// it, and it answers -TRYAGAIN) answers the table without itself, so its clients move to the others; itself alone
    /// when there are no others.
    /// </summary>
    public ClusterTable TableFor(bool zoneScoped, bool fenced, bool tls = false) =>
        Volatile.Read(ref _tables)[Index(zoneScoped && Zone is not null, tls, fenced)];

    private static int Index(bool zoneScoped, bool tls, bool fenced) => (zoneScoped ? 4 : 0) + (tls ? 2 : 0) + (fenced ? 1 : 0);

    /// <summary>
    /// This proxy, once it listens: <paramref name="registrationId"/> reachable at <paramref name="address"/>, by TLS
    /// clients on <paramref name="tlsPort"/> (null: no TLS), and by plain ones unless <paramref name="tlsOnly"/>.
    /// </summary>
    public void SetSelf(string registrationId, string address, int? tlsPort = null, bool tlsOnly = false)
    {
        lock (_gate)
        {
            var self = ClusterMember.From(registrationId, address, 0) ?? throw new ArgumentException($"'{address}' is not host:port", nameof(address));
            _self = self with { TlsPort = tlsPort, TlsOnly = tlsOnly, Zone = Zone };
            Rebuild();
        }
    }

    /// <summary>
    /// The live proxies with the face on, as listed in the store (this one among them, where its epoch comes from);
    /// this proxy is in the table whether or not the listing has it yet, until <see cref="Leave"/>.
    /// </summary>
    public void SetMembers(IReadOnlyList<ClusterMember> members)
    {
        lock (_gate)
        {
            if (_self is { } self && members.FirstOrDefault(m => m.NodeId == self.NodeId) is { } listed)
            {
                _self = self with { Epoch = listed.Epoch };
            }

            _others = members;
            Rebuild();
        }
    }

    /// <summary>The proxy is stopping: it leaves its own table before it drains (what it answers from now on omits it).</summary>
    public void Leave()
    {
        lock (_gate)
        {
            _leaving = true;
            Rebuild();
        }
    }

    private void Rebuild()
    {
        var members = _others.Where(m => m.NodeId != _self?.NodeId);
        if (_self is { } self && !_leaving)
        {
            members = members.Append(self);
        }

        var all = members.ToArray();
        var tables = new ClusterTable[8];
        foreach (bool zoneScoped in (bool[])[false, true])
        {
            foreach (bool tls in (bool[])[false, true])
            {
                if (zoneScoped && Zone is null)
                {
                    tables[Index(true, tls, false)] = tables[Index(true, tls, true)] = Empty;
                    continue;
                }

                var chosen = all.Where(m => (!zoneScoped || m.Zone == Zone) && m.Serves(tls)).ToArray();
                var table = ClusterTable.Build(chosen, _leaving ? null : _self);
                var withoutSelf = ClusterTable.Build(chosen.Where(m => m.NodeId != _self?.NodeId), null);
                tables[Index(zoneScoped, tls, false)] = table;
                tables[Index(zoneScoped, tls, true)] = withoutSelf.Nodes.Count > 0 ? withoutSelf : table;
            }
        }

        Volatile.Write(ref _tables, tables);
    }
}
