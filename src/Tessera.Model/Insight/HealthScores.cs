namespace Tessera.Model.Insight;

/// <summary>One server's health score, 0 (down) to 100, with what took points off (GET /api/health/scores, <c>tessera health</c>).</summary>
public sealed record ServerScore
{
    public required string Namespace { get; init; }

    public required int Group { get; init; }

    public required string Server { get; init; }

    /// <summary>"master" or "replica" as the store has it.</summary>
    public required string Role { get; init; }

    public required int Score { get; init; }

    /// <summary>Why it is not 100, each with the points it cost ("replica lag 12.0 s (-40)").</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
}

/// <summary>A group's score: its master's, less what its replicas lack, with the reasons.</summary>
public sealed record GroupScore
{
    public required string Namespace { get; init; }

    public required int Group { get; init; }

    public required int Score { get; init; }

    public IReadOnlyList<string> Reasons { get; init; } = [];

    public IReadOnlyList<ServerScore> Servers { get; init; } = [];
}

/// <summary>Every group's score as of the leader's last insight round.</summary>
public sealed record HealthScoreReport
{
    /// <summary>When the figures were gathered; null before the leader's first round.</summary>
    public DateTimeOffset? SampledAt { get; init; }

    public IReadOnlyList<GroupScore> Groups { get; init; } = [];
}
