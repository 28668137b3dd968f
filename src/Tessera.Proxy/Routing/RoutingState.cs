using System.Collections.Frozen;
using Tessera.Proxy.Backends;
using Tessera.Model.Topology;
using Tessera.Proxy.Topology;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Routing;

/// <summary>
/// Holds the current <see cref="RoutingSnapshot"/>. Readers take <see cref="Current"/> once per request
/// without locking (a volatile read of an immutable object); writers build a whole new snapshot and
/// publish it with one write, so no request ever sees half a topology.
/// </summary>
internal sealed class RoutingState
{
    private readonly BackendPool _pool;
    private readonly object _applyGate = new();
    private RoutingSnapshot _current = RoutingSnapshot.Empty;

    public RoutingState(BackendPool pool) => _pool = pool;

    public RoutingSnapshot Current => Volatile.Read(ref _current);

    /// <summary>Builds and publishes the snapshot for <paramref name="topology"/>; an older epoch than the current one is ignored.</summary>
    public bool Apply(TopologyConfig topology)
    {
        lock (_applyGate)
        {
            if (topology.Epoch < _current.Epoch)
            {
                return false;
            }

            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var namespaces = new Dictionary<string, NamespaceRoutes>(StringComparer.Ordinal);
            foreach (var ns in topology.Namespaces)
            {
                var groups = new Dictionary<int, GroupRoute>();
                foreach (var group in ns.Groups)
                {
                    var replicas = new BackendServer[group.Replicas.Count];
                    for (int i = 0; i < replicas.Length; i++)
                    {
                        replicas[i] = _pool.Get(group.Replicas[i]);
                        used.Add(group.Replicas[i]);
                    }

                    groups[group.Id] = new GroupRoute(group.Id, _pool.Get(group.Master), replicas);
                    used.Add(group.Master);
                }

                var slots = new GroupRoute?[KeySlot.Count];
                foreach (var range in ns.Slots)
                {
                    if (!groups.TryGetValue(range.Group, out var owner))
                    {
                        throw new ArgumentException($"namespace '{ns.Name}': slots {range.From}-{range.To} name group {range.Group}, which does not exist");
                    }

                    for (int slot = range.From; slot <= range.To; slot++)
                    {
                        slots[slot] = owner;
                    }
                }

                namespaces[ns.Name] = new NamespaceRoutes(ns.Name, [.. groups.Values.OrderBy(g => g.Id)], slots);
            }

            Volatile.Write(ref _current, new RoutingSnapshot(topology.Epoch, namespaces.ToFrozenDictionary(StringComparer.Ordinal)));
            _pool.Retain(used);
            return true;
        }
    }
}
