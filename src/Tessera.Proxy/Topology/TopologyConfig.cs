namespace Tessera.Proxy.Topology;

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

    public IReadOnlyList<GroupConfig> Groups { get; init; } = [];

    public IReadOnlyList<SlotRangeConfig> Slots { get; init; } = [];
}

/// <summary>One master and its replicas, addressed as "host:port".</summary>
public sealed record GroupConfig
{
    public required int Id { get; init; }

    public required string Master { get; init; }

    public IReadOnlyList<string> Replicas { get; init; } = [];
}

/// <summary>Slots <see cref="From"/>..<see cref="To"/> (inclusive) served by group <see cref="Group"/>.</summary>
public sealed record SlotRangeConfig
{
    public required int From { get; init; }

    public required int To { get; init; }

    public required int Group { get; init; }
}
