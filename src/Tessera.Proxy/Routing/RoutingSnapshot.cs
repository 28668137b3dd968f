using System.Collections.Frozen;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;

namespace Tessera.Proxy.Routing;

/// <summary>
/// The routing state of the whole proxy at one moment: every namespace's slot table with resolved
/// backend servers. Immutable; a change builds a new snapshot that replaces this one in one reference
/// write, and a read pass of a session uses one snapshot throughout.
/// </summary>
internal sealed class RoutingSnapshot
{
    public RoutingSnapshot(FrozenDictionary<string, NamespaceRoutes> namespaces) => Namespaces = namespaces;

    public FrozenDictionary<string, NamespaceRoutes> Namespaces { get; }

    /// <summary>Highest namespace epoch (for INFO and logs).</summary>
    public long Epoch
    {
        get
        {
            long epoch = 0;
            foreach (var routes in Namespaces.Values)
            {
                epoch = Math.Max(epoch, routes.Epoch);
            }

            return epoch;
        }
    }

    public NamespaceRoutes? Find(string name) => Namespaces.GetValueOrDefault(name);

    public static RoutingSnapshot Empty { get; } = new(FrozenDictionary<string, NamespaceRoutes>.Empty);
}

/// <summary>One namespace's routes: its groups, which group owns each of the 1024 slots, and slot states.</summary>
internal sealed class NamespaceRoutes
{
    public NamespaceRoutes(NamespaceConfig config, IReadOnlyList<GroupRoute> groups, GroupRoute?[] slots, SlotState[] states, GroupRoute?[] targets)
    {
        Config = config;
        Groups = groups;
        Slots = slots;
        States = states;
        Targets = targets;
        Signature = TopologySignature.Compute(config);
    }

    /// <summary>The configuration these routes were built from.</summary>
    public NamespaceConfig Config { get; }

    public string Name => Config.Name;

    public long Epoch => Config.Epoch;

    /// <summary>Fingerprint of these routes, the same function the controller computes from the store.</summary>
    public string Signature { get; }

    public IReadOnlyList<GroupRoute> Groups { get; }

    /// <summary>Owner of each slot; null where no group is assigned.</summary>
    public GroupRoute?[] Slots { get; }

    /// <summary>State of each slot; requests for <see cref="SlotState.Locked"/> slots wait.</summary>
    public SlotState[] States { get; }

    /// <summary>Target group of each migrating slot.</summary>
    public GroupRoute?[] Targets { get; }
}

/// <summary>A group as routing sees it: its id, the servers to send to, and which replicas may serve reads now.</summary>
internal sealed class GroupRoute
{
    private ReadTargets _reads = ReadTargets.None;

    public GroupRoute(int id, BackendServer master, IReadOnlyList<BackendServer> replicas, IReadOnlyDictionary<string, string>? zones = null)
    {
        Id = id;
        Master = master;
        Replicas = replicas;
        Zones = zones ?? new Dictionary<string, string>();
    }

    public int Id { get; }

    public BackendServer Master { get; }

    public IReadOnlyList<BackendServer> Replicas { get; }

    /// <summary>Zone label per server address, as the topology gives them.</summary>
    public IReadOnlyDictionary<string, string> Zones { get; }

    /// <summary>
    /// The replicas that may serve reads (none until the controller has measured them fresh); replaced as a whole
    /// when a measurement changes the set, outside the routes' epochs (freshness changes far more often than routes).
    /// </summary>
    public ReadTargets Reads
    {
        get => Volatile.Read(ref _reads);
        set => Volatile.Write(ref _reads, value);
    }
}
