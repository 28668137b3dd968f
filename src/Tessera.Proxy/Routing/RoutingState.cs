using System.Collections.Frozen;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Routing;

/// <summary>
/// Holds the current <see cref="RoutingSnapshot"/>. Readers take <see cref="Current"/> without locking
/// (a volatile read of an immutable object); changes build a whole new snapshot and publish it with
/// one write, so no request ever sees half a topology. Changes are serialized.
/// </summary>
internal sealed class RoutingState
{
    private readonly BackendPool _pool;
    private readonly SemaphoreSlim _applyGate = new(1, 1);
    private readonly List<Action> _listeners = [];
    private RoutingSnapshot _current = RoutingSnapshot.Empty;

    // The drain of the latest change per namespace: a repeated push of the same epoch (the controller
    // retrying after a timeout) must not be acknowledged before that drain has finished.
    private readonly Dictionary<string, (long Epoch, Task Drain)> _drains = new(StringComparer.Ordinal);

    // The latest fresh-replica measurement per namespace (architecture §10), applied to every build of its routes.
    private readonly Dictionary<string, FreshReplicas> _fresh = new(StringComparer.Ordinal);

    public RoutingState(BackendPool pool, string? zone = null)
    {
        _pool = pool;
        Zone = zone;
    }

    /// <summary>This proxy's zone label (nearest-replica reads), or null.</summary>
    public string? Zone { get; }

    public RoutingSnapshot Current => Volatile.Read(ref _current);

    /// <summary>
    /// True while the proxy has lost its lease: the routes may be stale (the controller may have moved on without
    /// this proxy), so sessions answer -TRYAGAIN instead of routing (architecture §3, fencing). Set by the store agent.
    /// </summary>
    public bool Fenced
    {
        get => Volatile.Read(ref _fenced);
        set => Volatile.Write(ref _fenced, value);
    }

    private bool _fenced;

    /// <summary>Read passes of client sessions; a change waits for the passes that used the old routes.</summary>
    public PassGuard Passes { get; } = new();

    /// <summary>Called (on the changing thread) after every published change, e.g. to wake sessions holding requests.</summary>
    public void OnChanged(Action listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
        }
    }

    /// <summary>Replaces every namespace with those of <paramref name="topology"/> (topology files).</summary>
    public void Apply(TopologyConfig topology)
    {
        _applyGate.Wait();
        try
        {
            var namespaces = new Dictionary<string, NamespaceRoutes>(StringComparer.Ordinal);
            foreach (var ns in topology.Namespaces)
            {
                // A file has one epoch for all its namespaces.
                var config = ns.Epoch == 0 ? ns with { Epoch = topology.Epoch } : ns;
                namespaces[ns.Name] = Build(config);
            }

            Publish(namespaces);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>
    /// Applies one namespace's routes when <paramref name="config"/> is newer than what is served (an equal
    /// epoch is an idempotent repeat). Returns once every request that was routed by the routes it replaced
    /// has left the proxy and been answered by its backend (architecture §3: "drains the ones in flight").
    /// </summary>
    public async Task<bool> ApplyNamespaceAsync(NamespaceConfig config, TimeSpan drainTimeout)
    {
        await _applyGate.WaitAsync().ConfigureAwait(false);
        NamespaceRoutes? previous;
        Task? pendingDrain = null;
        try
        {
            previous = Current.Find(config.Name);
            if (previous is not null && config.Epoch <= previous.Epoch)
            {
                if (config.Epoch < previous.Epoch)
                {
                    return false;
                }

                lock (_drains)
                {
                    if (_drains.TryGetValue(config.Name, out var drain) && drain.Epoch == config.Epoch)
                    {
                        pendingDrain = drain.Drain;
                    }
                }
            }

            if (pendingDrain is null)
            {
                var namespaces = new Dictionary<string, NamespaceRoutes>(Current.Namespaces, StringComparer.Ordinal)
                {
                    [config.Name] = Build(config),
                };
                Publish(namespaces);
                await Passes.WaitForOlderPassesAsync(drainTimeout).ConfigureAwait(false);
                if (previous is not null)
                {
                    pendingDrain = DrainAsync(previous, drainTimeout);
                    lock (_drains)
                    {
                        _drains[config.Name] = (config.Epoch, pendingDrain);
                    }
                }
            }
        }
        finally
        {
            _applyGate.Release();
        }

        if (pendingDrain is not null)
        {
            await pendingDrain.ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Stops serving namespace <paramref name="name"/>.</summary>
    public async Task RemoveNamespaceAsync(string name)
    {
        await _applyGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Current.Find(name) is null)
            {
                return;
            }

            var namespaces = new Dictionary<string, NamespaceRoutes>(Current.Namespaces, StringComparer.Ordinal);
            namespaces.Remove(name);
            Publish(namespaces);
        }
        finally
        {
            _applyGate.Release();
        }
    }

    /// <summary>
    /// Takes a new measurement of namespace <paramref name="name"/>'s fresh replicas (null: none is fresh, as when the
    /// document is deleted): each group of the served routes gets its <see cref="GroupRoute.Reads"/> at once, and later
    /// builds of the namespace's routes start from it. Serialized with route changes, so a build never publishes an
    /// older measurement than the one last given.
    /// </summary>
    public async Task SetFreshReplicasAsync(string name, FreshReplicas? fresh)
    {
        await _applyGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (fresh is null)
            {
                _fresh.Remove(name);
            }
            else
            {
                _fresh[name] = fresh;
            }

            if (Current.Find(name) is { } routes)
            {
                foreach (var group in routes.Groups)
                {
                    group.Reads = ReadsOf(group, fresh);
                }
            }
        }
        finally
        {
            _applyGate.Release();
        }
    }

    private ReadTargets ReadsOf(GroupRoute group, FreshReplicas? fresh) =>
        fresh is null ? ReadTargets.None : ReadTargets.Of(group.Replicas, fresh.Of(group.Id, group.Master.Address), group.Zones, Zone);

    /// <summary>Waits until every request sent so far to the masters of <paramref name="routes"/> is answered: a PING per connection, answered in order.</summary>
    private static async Task DrainAsync(NamespaceRoutes routes, TimeSpan timeout)
    {
        var barriers = new List<Task>();
        foreach (var group in routes.Groups)
        {
            foreach (var connection in group.Master.Connections)
            {
                barriers.Add(connection.BarrierAsync());
            }
        }

        // Transactions on dedicated connections: wait until their EXEC (or DISCARD) has been answered, so
        // none can run on the old owner after the change is acknowledged.
        foreach (var group in routes.Groups)
        {
            foreach (var dedicated in group.Master.DedicatedConnections)
            {
                // Client-tracking connections carry ordinary keyed commands: drained like shared ones.
                barriers.Add(dedicated.Kind == BackendConnectionKind.Tracking ? dedicated.BarrierAsync() : dedicated.TransactionEnded);
            }
        }

        // TransactionEnded completes when the EXEC's reply or failure arrives, under the timeout below. The poll it
        // replaced also gave up while nothing was in flight on the connection; with a transaction open that lasts
        // only a moment (the EXEC is about to be queued, or its link failed and the EXEC's failure, which ends the
        // transaction, is being delivered), so the in-flight replies that matter are exactly the EXEC's, and
        // waiting for its end also covers an EXEC that had not been queued yet when the drain began.
        await Task.WhenAll(barriers).WaitAsync(timeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
    }

    private void Publish(Dictionary<string, NamespaceRoutes> namespaces)
    {
        Volatile.Write(ref _current, new RoutingSnapshot(namespaces.ToFrozenDictionary(StringComparer.Ordinal)));
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var routes in namespaces.Values)
        {
            foreach (var group in routes.Groups)
            {
                used.Add(group.Master.Address);
                foreach (var replica in group.Replicas)
                {
                    used.Add(replica.Address);
                }
            }
        }

        _pool.Retain(used);
        Action[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener();
        }
    }

    private NamespaceRoutes Build(NamespaceConfig ns)
    {
        var groups = new Dictionary<int, GroupRoute>();
        foreach (var group in ns.Groups)
        {
            if (string.IsNullOrEmpty(group.Master))
            {
                // A group still being built (no server yet): nothing to route to, and no slot may name it.
                continue;
            }

            var replicas = new BackendServer[group.Replicas.Count];
            for (int i = 0; i < replicas.Length; i++)
            {
                replicas[i] = _pool.Get(group.Replicas[i], ns.Name);
            }

            var route = new GroupRoute(group.Id, _pool.Get(group.Master, ns.Name), replicas, group.Zones);
            route.Reads = ReadsOf(route, _fresh.GetValueOrDefault(ns.Name));
            groups[group.Id] = route;
        }

        var slots = new GroupRoute?[KeySlot.Count];
        var states = new SlotState[KeySlot.Count];
        var targets = new GroupRoute?[KeySlot.Count];
        foreach (var range in ns.Slots)
        {
            if (!groups.TryGetValue(range.Group, out var owner))
            {
                throw new ArgumentException($"namespace '{ns.Name}': slots {range.From}-{range.To} name group {range.Group}, which does not exist");
            }

            GroupRoute? target = null;
            if (range.Target is { } targetId && !groups.TryGetValue(targetId, out target))
            {
                throw new ArgumentException($"namespace '{ns.Name}': slots {range.From}-{range.To} migrate to group {targetId}, which does not exist");
            }

            for (int slot = range.From; slot <= range.To; slot++)
            {
                slots[slot] = owner;
                states[slot] = range.State;
                targets[slot] = target;
            }
        }

        return new NamespaceRoutes(ns, [.. groups.Values.OrderBy(g => g.Id)], slots, states, targets);
    }
}
