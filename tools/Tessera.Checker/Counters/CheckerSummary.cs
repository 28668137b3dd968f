namespace Tessera.Checker.Counters;

/// <summary>
/// The outcome of a checker run (printed as JSON). <see cref="Lost"/>: counters whose final value is below an
/// acknowledged INCR's result. <see cref="Stale"/>: reads that returned less than a value already acknowledged
/// when the read was sent, or less than the same reader had seen before. <see cref="Excess"/>: counters above
/// the number of INCRs ever sent (a write applied twice). Any of them non-zero fails the run.
/// </summary>
public sealed record CheckerSummary
{
    /// <summary>INCRs answered with their new value.</summary>
    public long Acknowledged { get; init; }

    /// <summary>GETs answered and checked.</summary>
    public long Reads { get; init; }

    public long Lost { get; init; }

    public long Stale { get; init; }

    public long Excess { get; init; }

    /// <summary>Requests answered with an error or not answered (timeout, closed connection).</summary>
    public long Errors { get; init; }

    public int Keys { get; init; }

    public double Seconds { get; init; }

    /// <summary>Acknowledged writes per second.</summary>
    public double WritesPerSecond { get; init; }

    /// <summary>INCR latency as clients saw it, in milliseconds.</summary>
    public double WriteP50Ms { get; init; }

    public double WriteP99Ms { get; init; }

    public double WriteMaxMs { get; init; }

    /// <summary>The first few errors and violations, for the person reading the report.</summary>
    public IReadOnlyList<string> Samples { get; init; } = [];

    /// <summary>True when nothing was lost, stale or in excess.</summary>
    public bool Ok => Lost == 0 && Stale == 0 && Excess == 0;
}
