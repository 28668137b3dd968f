using Tessera.Model.Topology;

namespace Tessera.Model.Api;

/// <summary>Answer of GET /api/namespaces/{ns}/slots: the slot table, its gaps and slots per group.</summary>
public sealed record SlotsView
{
    public required string Namespace { get; init; }

    public long Epoch { get; init; }

    /// <summary>Assigned ranges sorted by first slot, adjacent ranges with the same owner and state merged.</summary>
    public IReadOnlyList<SlotRangeConfig> Ranges { get; init; } = [];

    /// <summary>Slots no group serves yet; clients touching them get an error.</summary>
    public IReadOnlyList<SlotSpan> Unassigned { get; init; } = [];

    /// <summary>Slots owned per group, every group listed (0 when it owns none).</summary>
    public IReadOnlyList<GroupSlotCount> Groups { get; init; } = [];
}

/// <summary>Slots <see cref="From"/>..<see cref="To"/>, inclusive.</summary>
public sealed record SlotSpan(int From, int To);

/// <summary>How many slots a group owns.</summary>
public sealed record GroupSlotCount(int Group, int Slots);
