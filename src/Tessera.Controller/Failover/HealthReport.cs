using Tessera.Controller.Health;

namespace Tessera.Controller.Failover;

/// <summary>
/// Answer of <c>GET /api/health</c>: every group's servers as the answering controller's own probes see them,
/// with flags for groups at risk, and the latest failover of each group. Replicas with <see cref="ServerHealth.ServesReads"/>
/// false (down, suspect, lagging, not connected) are the ones read routing must leave out.
/// </summary>
public sealed record HealthReport
{
    /// <summary>The controller whose probes these are.</summary>
    public required string Controller { get; init; }

    public bool IsLeader { get; init; }

    public double DownAfterSeconds { get; init; }

    public double ProbeIntervalSeconds { get; init; }

    /// <summary>Bytes a replica may be behind its master before it counts as lagging.</summary>
    public long ReplicaLagThreshold { get; init; }

    public bool AutomaticFailover { get; init; }

    /// <summary>True while the controller distrusts its own timing (it stalled): it votes nothing down and starts no failover.</summary>
    public bool Tilted { get; init; }

    public IReadOnlyList<GroupHealth> Groups { get; init; } = [];

    /// <summary>The latest failover of each group that had one.</summary>
    public IReadOnlyList<FailoverRecord> Failovers { get; init; } = [];
}

/// <summary>One group's health.</summary>
public sealed record GroupHealth
{
    public required string Namespace { get; init; }

    public required int Group { get; init; }

    public required string Master { get; init; }

    /// <summary>Any of <see cref="GroupHealthFlags"/>; empty when all is well.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    public IReadOnlyList<ServerHealth> Servers { get; init; } = [];
}

/// <summary>One server's health in its role.</summary>
public sealed record ServerHealth
{
    public required string Address { get; init; }

    /// <summary>"master" or "replica", as the topology lists it.</summary>
    public required string Role { get; init; }

    /// <summary>One of <see cref="ServerHealthStates"/>.</summary>
    public required string Health { get; init; }

    /// <summary>Why it is not "up", in words.</summary>
    public string? Detail { get; init; }

    /// <summary>Seconds since its last good answer.</summary>
    public double SilentSeconds { get; init; }

    /// <summary>Its replication offset as last reported.</summary>
    public long? Offset { get; init; }

    /// <summary>For a replica: bytes behind the master.</summary>
    public long? LagBytes { get; init; }

    /// <summary>For a replica: its replica-priority (0: never promoted).</summary>
    public int? Priority { get; init; }

    /// <summary>For a replica: true when it may serve reads (healthy, linked, not lagging).</summary>
    public bool ServesReads { get; init; }

    /// <summary>For a replica: true when a failover could promote it now.</summary>
    public bool FailoverCandidate { get; init; }
}

/// <summary>The values of <see cref="GroupHealth.Flags"/>.</summary>
public static class GroupHealthFlags
{
    /// <summary>The master is down for this controller.</summary>
    public const string MasterDown = "master-down";

    /// <summary>The group lists no replica: a master failure leaves it down.</summary>
    public const string NoReplica = "no-replica";

    /// <summary>It lists replicas but none could be promoted now.</summary>
    public const string NoUsableReplica = "no-usable-replica";

    /// <summary>A failover is under way.</summary>
    public const string FailoverInProgress = "failover-in-progress";

    /// <summary>A former master is expected back as a replica.</summary>
    public const string AwaitingRejoin = "awaiting-rejoin";
}
