using System.Text.Json.Serialization;
using Tessera.Model.Api;

namespace Tessera.Controller.Migration;

/// <summary>
/// One slot migration as the store keeps it at <c>/tessera/migrations/{ns}/{id}</c> and as the API shows it:
/// which slots go to which group, where it is, and its progress (per slot, per source group, big keys). The
/// leader rewrites it about once a second while it runs, so a controller that takes over continues from here.
/// </summary>
public sealed record SlotMigration
{
    /// <summary>"m000001", "m000002"… per namespace, in the order they were asked for (and run).</summary>
    public required string Id { get; init; }

    public required string Namespace { get; init; }

    /// <summary>The group the slots move to.</summary>
    public required int Target { get; init; }

    /// <summary>The slots as asked, as sorted ranges.</summary>
    public IReadOnlyList<SlotSpan> Ranges { get; init; } = [];

    public MigrationState State { get; init; }

    /// <summary>True once cancelled while moving: the keys go back from the target to each slot's source.</summary>
    public bool Reverse { get; init; }

    /// <summary>Who asked: "migrate" or "rebalance".</summary>
    public string Origin { get; init; } = "migrate";

    public MigrationSettings Settings { get; init; } = new();

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the slots switched to migrating (the mover's start).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Last time the leader wrote this record.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Keys the mover moved (keys moved by clients touching them are not counted: Redis does not say).</summary>
    public long KeysMoved { get; init; }

    /// <summary>Bytes the mover moved, as MEMORY USAGE counted them before the move.</summary>
    public long BytesMoved { get; init; }

    /// <summary>Estimate of the keys still on the sources; 0 once a full pass found nothing left; null before the first estimate.</summary>
    public long? KeysLeft { get; init; }

    /// <summary>Keys per second over the last seconds.</summary>
    public double Rate { get; init; }

    /// <summary>Bytes per second over the last seconds.</summary>
    public double ByteRate { get; init; }

    /// <summary>Seconds left at the current rate, when it can be told.</summary>
    public double? EtaSeconds { get; init; }

    /// <summary>One entry per source group: where its SCAN is.</summary>
    public IReadOnlyList<SourceProgress> Sources { get; init; } = [];

    /// <summary>One entry per slot of the migration.</summary>
    public IReadOnlyList<SlotProgress> Slots { get; init; } = [];

    /// <summary>Keys at or over the big-key threshold, newest last (at most <see cref="MaxBigKeys"/>).</summary>
    public IReadOnlyList<BigKeyReport> BigKeys { get; init; } = [];

    /// <summary>The last problem the mover met (it retries with backoff); cleared when it is done.</summary>
    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Most big keys kept in the record.</summary>
    public const int MaxBigKeys = 100;

    /// <summary>True when nothing will happen to it any more.</summary>
    [JsonIgnore]
    public bool IsFinal => State is MigrationState.Done or MigrationState.Cancelled or MigrationState.Failed;

    /// <summary>Where it is, in words: "moving", "cancelling" (moving back), "paused", …</summary>
    public string Phase => (State, Reverse) switch
    {
        (MigrationState.Moving, true) => "cancelling",
        (MigrationState.Finishing, true) => "cancelling",
        (MigrationState.Paused, true) => "paused (cancelling)",
        _ => State.ToString().ToLowerInvariant(),
    };

    /// <summary>Number of slots it moves.</summary>
    public int SlotCount => Ranges.Sum(static r => r.To - r.From + 1);
}

/// <summary>Progress of one slot: the group it came from, keys the mover moved, and an estimate of keys left.</summary>
public sealed record SlotProgress
{
    public required int Slot { get; init; }

    /// <summary>The group that owned the slot before the migration (where it goes back to on cancel).</summary>
    public required int Source { get; init; }

    public long Moved { get; init; }

    /// <summary>Estimated keys still to move; 0 once its source's pass is complete.</summary>
    public long? Left { get; init; }
}

/// <summary>The mover's SCAN over one source group's master.</summary>
public sealed record SourceProgress
{
    /// <summary>The group whose master is scanned (the target, while moving back after a cancel).</summary>
    public required int Group { get; init; }

    /// <summary>The master scanned, "host:port".</summary>
    public string? Master { get; init; }

    /// <summary>run_id of that master: a saved cursor is only resumed on the same server process.</summary>
    public string? RunId { get; init; }

    /// <summary>The SCAN cursor to continue from (unsigned 64-bit, as text); "0" at the start of a pass.</summary>
    public string Cursor { get; init; } = "0";

    /// <summary>Passes begun; a pass that met failures is followed by another.</summary>
    public int Pass { get; init; }

    /// <summary>Keys that could not be moved in the current pass (they are tried again in the next).</summary>
    public long PassFailures { get; init; }

    /// <summary>Keys the current pass has looked at (all slots, not only moving ones).</summary>
    public long Scanned { get; init; }

    /// <summary>Keys the source held when its first pass began (DBSIZE).</summary>
    public long? KeysAtStart { get; init; }

    /// <summary>True once a whole pass found every key of its slots moved.</summary>
    public bool Done { get; init; }
}

/// <summary>A key at or over the big-key threshold: reported when found, then migrated alone with its own timeout.</summary>
public sealed record BigKeyReport
{
    /// <summary>The key, printable: bytes outside ASCII 0x20..0x7e as \xHH.</summary>
    public required string Key { get; init; }

    public int Slot { get; init; }

    /// <summary>MEMORY USAGE of the key when found.</summary>
    public long Bytes { get; init; }

    /// <summary>"moving", "moved" or "failed" (tried again in the next pass).</summary>
    public required string State { get; init; }

    /// <summary>How long its MIGRATE took (and so how long it blocked the source).</summary>
    public double? Milliseconds { get; init; }

    public string? Error { get; init; }

    public DateTimeOffset At { get; init; }
}
