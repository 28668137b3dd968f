using System.Text.Json.Serialization;

namespace Tessera.Controller.Migration;

/// <summary>Where a slot migration is in its life (architecture §4).</summary>
/// <remarks>
/// <c>Queued → Moving → Finishing → Done</c>; <c>Paused</c> from and back to <c>Moving</c>; a cancel turns a
/// moving migration around (<see cref="SlotMigration.Reverse"/>: the keys already moved go back) and ends in
/// <c>Cancelled</c>. <c>Failed</c> only when its slots changed under it before it began; a migration that has
/// begun never fails half-way, it keeps retrying (and says why in <see cref="SlotMigration.LastError"/>) until
/// it is done, paused or cancelled.
/// </remarks>
[JsonConverter(typeof(JsonStringEnumConverter<MigrationState>))]
public enum MigrationState
{
    /// <summary>Recorded; waits for its turn (one migration runs per namespace at a time). Slots still online at their source.</summary>
    Queued = 0,

    /// <summary>Slots are <c>migrating</c> on every proxy and the controller's mover is moving their keys.</summary>
    Moving,

    /// <summary>Slots stay <c>migrating</c> (clients still move keys on first touch); the mover waits for resume or cancel.</summary>
    Paused,

    /// <summary>Every key has moved; the slots are being switched to <c>online</c> at their new owner.</summary>
    Finishing,

    /// <summary>The slots are online at the target group.</summary>
    Done,

    /// <summary>Cancelled: the slots are online at their original groups again, with every key there.</summary>
    Cancelled,

    /// <summary>Could not begin: its slots changed before its turn came (see <see cref="SlotMigration.LastError"/>). Nothing was moved.</summary>
    Failed,
}
