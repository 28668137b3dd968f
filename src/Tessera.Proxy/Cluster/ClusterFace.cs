namespace Tessera.Proxy.Cluster;

/// <summary>
/// The proxy's Redis Cluster face (<see cref="ProxyOptions.ClusterFace"/>): the current <see cref="ClusterTable"/>,
/// rebuilt whenever the store's list of live proxies changes, and this proxy's own entry in it.
/// </summary>
internal sealed class ClusterFace
{
    private readonly Lock _gate = new();
    private ClusterTable _table = ClusterTable.Build([], null);
    private ClusterTable _withoutSelf = ClusterTable.Build([], null);
    private ClusterMember? _self;
    private IReadOnlyList<ClusterMember> _others = [];
    private bool _leaving;

    public ClusterFace(bool enabled) => Enabled = enabled;

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

    /// <summary>This proxy, once it listens: <paramref name="registrationId"/> reachable at <paramref name="address"/>.</summary>
    public void SetSelf(string registrationId, string address)
    {
        lock (_gate)
        {
            _self = ClusterMember.From(registrationId, address, 0) ?? throw new ArgumentException($"'{address}' is not host:port", nameof(address));
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

        Volatile.Write(ref _withoutSelf, ClusterTable.Build(members.Where(m => m.NodeId != _self?.NodeId), null));
        Volatile.Write(ref _table, ClusterTable.Build(members, _leaving ? null : _self));
    }
}
