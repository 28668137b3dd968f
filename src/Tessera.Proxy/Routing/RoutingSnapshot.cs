using System.Collections.Frozen;
using Tessera.Proxy.Backends;

namespace Tessera.Proxy.Routing;

/// <summary>
/// The routing state of the whole proxy at one epoch: every namespace's slot table with resolved
/// backend servers. Immutable; a new topology builds a new snapshot that replaces this one in one
/// reference write, and a request reads the current snapshot once.
/// </summary>
internal sealed class RoutingSnapshot
{
    public RoutingSnapshot(long epoch, FrozenDictionary<string, NamespaceRoutes> namespaces)
    {
        Epoch = epoch;
        Namespaces = namespaces;
    }

    public long Epoch { get; }

    public FrozenDictionary<string, NamespaceRoutes> Namespaces { get; }

    public NamespaceRoutes? Find(string name) => Namespaces.GetValueOrDefault(name);

    public static RoutingSnapshot Empty { get; } = new(0, FrozenDictionary<string, NamespaceRoutes>.Empty);
}

/// <summary>One namespace's routes: its groups and which group owns each of the 1024 slots.</summary>
internal sealed class NamespaceRoutes
{
    public NamespaceRoutes(string name, IReadOnlyList<GroupRoute> groups, GroupRoute?[] slots)
    {
        Name = name;
        Groups = groups;
        Slots = slots;
    }

    public string Name { get; }

    public IReadOnlyList<GroupRoute> Groups { get; }

    /// <summary>Owner of each slot; null where no group is assigned.</summary>
    public GroupRoute?[] Slots { get; }
}

/// <summary>A group as routing sees it: its id and the servers to send to.</summary>
internal sealed class GroupRoute
{
    public GroupRoute(int id, BackendServer master, IReadOnlyList<BackendServer> replicas)
    {
        Id = id;
        Master = master;
        Replicas = replicas;
    }

    public int Id { get; }

    public BackendServer Master { get; }

    public IReadOnlyList<BackendServer> Replicas { get; }
}
