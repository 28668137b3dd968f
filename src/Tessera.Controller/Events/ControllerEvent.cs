namespace Tessera.Controller.Events;

/// <summary>
/// One thing the controllers saw or did about the health of servers, in plain words: a server going down or
/// coming back, a controller's vote, a failover and its steps, an old master rejoining as a replica. Kept in
/// the store (newest <see cref="Kept"/>), served at <c>GET /api/events</c> and by <c>tessera events</c>.
/// </summary>
public sealed record ControllerEvent
{
    /// <summary>How many of the newest events the store keeps (and the most the API returns).</summary>
    public const int Kept = 500;

    /// <summary>When it happened (UTC, as the recording controller's clock says).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>What kind of event: one of <see cref="EventKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The controller that recorded it.</summary>
    public required string Controller { get; init; }

    public string? Namespace { get; init; }

    public int? Group { get; init; }

    /// <summary>The server it is about ("host:port").</summary>
    public string? Server { get; init; }

    /// <summary>The event in one sentence, e.g. "master 127.0.0.1:7001 of group 2 is down (3 of 3 controllers agree)".</summary>
    public required string Message { get; init; }
}

/// <summary>The values of <see cref="ControllerEvent.Kind"/>.</summary>
public static class EventKinds
{
    /// <summary>A server stopped answering for the down-after time (the leader's view).</summary>
    public const string Down = "down";

    /// <summary>A server that was down answers again.</summary>
    public const string Up = "up";

    /// <summary>A controller's own opinion that a master is down (its vote).</summary>
    public const string Vote = "vote";

    /// <summary>A majority of live controllers agree that a master is down.</summary>
    public const string ObjectivelyDown = "objectively-down";

    /// <summary>A failover began (or was resumed by a new leader), naming the chosen replica.</summary>
    public const string Failover = "failover";

    /// <summary>A replica became the group's master and proxies were switched to it.</summary>
    public const string Promoted = "promoted";

    /// <summary>A failover could not be completed; it is retried.</summary>
    public const string FailoverFailed = "failover-failed";

    /// <summary>A group's master is down and no replica can take over: the group stays down.</summary>
    public const string NoReplica = "no-replica";

    /// <summary>A former master came back and was made a replica of the new master.</summary>
    public const string Demoted = "demoted";

    /// <summary>A former master replicates from the new master and is listed as a replica again.</summary>
    public const string Rejoined = "rejoined";

    /// <summary>A replica became unusable for reads (down, lagging, not connected) or usable again.</summary>
    public const string Replica = "replica";

    /// <summary>A replica that followed the wrong master (or none) was pointed at the group's master.</summary>
    public const string Repointed = "repointed";

    /// <summary>An alert rule's condition held for its duration (tessera alert list).</summary>
    public const string AlertFiring = "alert-firing";

    /// <summary>A firing alert's condition no longer holds, or its rule was removed.</summary>
    public const string AlertResolved = "alert-resolved";
}
