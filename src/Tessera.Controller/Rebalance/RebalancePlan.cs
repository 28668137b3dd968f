using Tessera.Controller.Migration;

namespace Tessera.Controller.Rebalance;

/// <summary>
/// How a rebalance would even out a namespace's slots: each group's share now and wanted, and the moves (as
/// contiguous ranges, each from one group to another) that get there with the fewest slots moved.
/// </summary>
public sealed record RebalancePlan
{
    public required string Namespace { get; init; }

    /// <summary>The namespace epoch the plan was made from.</summary>
    public long Epoch { get; init; }

    /// <summary>Slots assigned to some group (the ones shared out).</summary>
    public int AssignedSlots { get; init; }

    public IReadOnlyList<RebalanceGroup> Groups { get; init; } = [];

    public IReadOnlyList<SlotMove> Moves { get; init; } = [];

    /// <summary>Slots that change owner: the least any plan reaching the wanted shares could move.</summary>
    public int SlotsMoved => Moves.Sum(static m => m.To - m.From + 1);
}

/// <summary>One group in a plan: its weight, the slots it owns and the slots it should own.</summary>
public sealed record RebalanceGroup(int Group, double Weight, int Slots, int Wanted);

/// <summary>Slots <see cref="From"/>..<see cref="To"/> move from group <see cref="Source"/> to group <see cref="Target"/>.</summary>
public sealed record SlotMove(int From, int To, int Source, int Target);

/// <summary>
/// Body of POST /api/namespaces/{ns}/rebalance. <see cref="Weights"/> maps group ids ("2") to relative weights
/// (default 1 each; 0 empties a group); <see cref="DryRun"/> only answers the plan.
/// </summary>
public sealed record RebalanceRequest
{
    public bool DryRun { get; init; }

    public IReadOnlyDictionary<string, double>? Weights { get; init; }

    /// <summary>Settings for the migrations it starts (throttle, batch size…); null for the defaults.</summary>
    public MigrationSettings? Settings { get; init; }
}

/// <summary>Answer of a rebalance: the plan, and the migrations queued for it (none for a dry run or when already even).</summary>
public sealed record RebalanceResult
{
    public required RebalancePlan Plan { get; init; }

    public bool DryRun { get; init; }

    public IReadOnlyList<SlotMigration> Migrations { get; init; } = [];
}
