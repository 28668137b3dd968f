namespace Tessera.Controller.Failover;

/// <summary>
/// The store's memory of the latest failover of one group, written before anything is changed and updated
/// after each decisive step. It makes a failover happen once: a leader that takes over mid-failover finds the
/// record and finishes the same promotion instead of choosing again, and it remembers the old master until it
/// has come back as a replica.
/// </summary>
public sealed record FailoverRecord
{
    public required string Namespace { get; init; }

    public required int Group { get; init; }

    /// <summary>The master that failed (or was replaced by a manual promotion).</summary>
    public required string From { get; init; }

    /// <summary>The replica chosen to become master.</summary>
    public required string To { get; init; }

    /// <summary>One of <see cref="FailoverStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>Why: "3 of 3 controllers agree" or "manual promotion".</summary>
    public required string Reason { get; init; }

    public bool Manual { get; init; }

    /// <summary>The controller that began it, and when.</summary>
    public required string StartedBy { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Set when a later leader finished a failover another one began.</summary>
    public string? ResumedBy { get; init; }

    /// <summary>The namespace epoch at which the new master was committed.</summary>
    public long? CommittedEpoch { get; init; }

    public DateTimeOffset? CommittedAt { get; init; }

    /// <summary>The old master's zone label, given back to it when it rejoins.</summary>
    public string? FromZone { get; init; }

    /// <summary>When the old master was listed as a replica again.</summary>
    public DateTimeOffset? RejoinedAt { get; init; }
}

/// <summary>The values of <see cref="FailoverRecord.State"/>.</summary>
public static class FailoverStates
{
    /// <summary>Decided and under way: the chosen replica may already be detached, the new master not yet committed.</summary>
    public const string Promoting = "promoting";

    /// <summary>The new master is committed and pushed; the old master is not listed until it comes back as its replica.</summary>
    public const string AwaitingRejoin = "awaiting-rejoin";

    /// <summary>Finished: the old master replicates from the new one and is listed as a replica.</summary>
    public const string Done = "done";

    /// <summary>Given up (the old master came back before the promotion was committed, or the group changed under it).</summary>
    public const string Abandoned = "abandoned";
}
