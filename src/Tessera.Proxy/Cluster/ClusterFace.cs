namespace Tessera.Proxy.Cluster;

/// <summary>
/// The proxy's Redis Cluster face (<see cref="ProxyOptions.ClusterFace"/>): the current <see cref="ClusterTable"/>,
/// rebuilt whenever the store's list of live proxies changes, and this proxy's own entry in it.
/// </summary>
/// <remarks>
/// Two tables are kept: over every live face proxy, and over those of this proxy's own zone (<see cref="Zone"/>). A
/// connection whose namespace reads in mode nearest is answered the zone's table (<see cref="TableFor"/>), so a
/// cluster client connected in az1 only ever uses az1 proxies, whose nearest reads stay in az1. Every proxy of a zone
/// computes the same zone table from the same listing (rendezvous hashing over the zone's node ids alone).
/// </remarks>
internal sealed class ClusterFace
{
    private readonly Lock _gate = new();
    private ClusterTable _table = ClusterTable.Build([], null);
    private ClusterTable _withoutSelf = ClusterTable.Build([], null);
    private ClusterTable _zoneTable = ClusterTable.Build([], null);
    private ClusterTable _zoneWithoutSelf = ClusterTable.Build([], null);
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

    /// <summary>What CLUSTER SLOTS, SHARDS and NODES answer now.</summary>
    public ClusterTable Table => Volatile.Read(ref _table);

    /// <summary>
    /// What a fenced proxy answers (it lost its lease, so the others have dropped it, and it answers -TRYAGAIN): the
    /// table without itself, so its clients move to the others; itself alone when there are no others.
    /// </summary>
    public ClusterTable FencedTable => Volatile.Read(ref _withoutSelf) is { Nodes.Count: > 0 } others ? others : Table;

    /// <summary>The table over the live face proxies of this proxy's zone (this one alone when it is the zone's only one); <see cref="Table"/> without a zone.</summary>
    public ClusterTable ZoneTable => Zone is null ? Table : Volatile.Read(ref _zoneTable);

    /// <summary>
    /// What a connection is answered: the zone's table when <paramref name="zoneScoped"/> (its namespace reads nearest)
    /// and this proxy has a zone, else the table over all face proxies; without this proxy when it is fenced.
    /// </summary>
    public ClusterTable TableFor(bool zoneScoped, bool fenced)
    {
        if (!zoneScoped || Zone is null)
        {
            return fenced ? FencedTable : Table;
        }

        return fenced && Volatile.Read(ref _zoneWithoutSelf) is { Nodes.Count: > 0 } others ? others : ZoneTable;
    }

    /// <summary>
    /// This proxy, once it listens: <paramref name="registrationId"/> reachable at <paramref name="address"/>, and by TLS
    /// clients on <paramref name="tlsPort"/> when that is a second listener.
    /// </summary>
    public void SetSelf(string registrationId, string address, int? tlsPort = null)
    {
        lock (_gate)
        {
            var self = ClusterMember.From(registrationId, address, 0) ?? throw new ArgumentException($"'{address}' is not host:port", nameof(address));
            _self = self with { TlsPort = tlsPort, Zone = Zone };
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
        Volatile.Write(ref _withoutSelf, ClusterTable.Build(all.Where(m => m.NodeId != _self?.NodeId), null));
        Volatile.Write(ref _table, ClusterTable.Build(all, _leaving ? null : _self));
        if (Zone is not null)
        {
            var zone = all.Where(m => m.Zone == Zone).ToArray();
            Volatile.Write(ref _zoneWithoutSelf, ClusterTable.Build(zone.Where(m => m.NodeId != _self?.NodeId), null));
            Volatile.Write(ref _zoneTable, ClusterTable.Build(zone, _leaving ? null : _self));
        }
    }
}
