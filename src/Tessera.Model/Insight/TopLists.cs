namespace Tessera.Model.Insight;

/// <summary>One namespace's figures for the top lists, each null when it could not be measured (yet).</summary>
public sealed record NamespaceFigures
{
    public required string Namespace { get; init; }

    /// <summary>Commands per second over every proxy, over the last round.</summary>
    public double? OpsPerSecond { get; init; }

    /// <summary>Sum of used_memory / sum of maxmemory over its masters (masters without maxmemory left out).</summary>
    public double? MemoryUtilisation { get; init; }

    public long? UsedMemoryBytes { get; init; }

    /// <summary>keyspace_hits / (hits + misses) of its masters over the window (or since their start when no window yet).</summary>
    public double? HitRate { get; init; }

    /// <summary>Keys of its masters now.</summary>
    public long? Keys { get; init; }

    /// <summary>Keys gained over the window (negative: shrinking).</summary>
    public long? KeysGained { get; init; }

    /// <summary>used_memory gained over the window.</summary>
    public long? MemoryGainedBytes { get; init; }

    /// <summary>Keys gained per hour over the window; null until the window spans a minute (shorter ones extrapolate noise).</summary>
    public double? KeysGrowthPerHour { get; init; }

    /// <summary>used_memory gained per hour over the window; null until the window spans a minute.</summary>
    public double? MemoryGrowthBytesPerHour { get; init; }
}

/// <summary>
/// The namespaces ranked four ways (GET /api/top, <c>tessera top</c>): busiest, lowest memory utilisation (capacity
/// to take back), lowest hit rate (a cache that does not cache) and fastest growing; each list holds only the
/// namespaces that have the figure.
/// </summary>
public sealed record TopReport
{
    public DateTimeOffset? SampledAt { get; init; }

    /// <summary>The seconds the rates and growth are measured over.</summary>
    public double WindowSeconds { get; init; }

    public IReadOnlyList<NamespaceFigures> ByOps { get; init; } = [];

    public IReadOnlyList<NamespaceFigures> ByLowestMemoryUtilisation { get; init; } = [];

    public IReadOnlyList<NamespaceFigures> ByLowestHitRate { get; init; } = [];

    public IReadOnlyList<NamespaceFigures> ByGrowth { get; init; } = [];
}
