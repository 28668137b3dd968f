namespace Tessera.Checker.Counters;

/// <summary>What a <see cref="CounterChecker"/> run does: where, how many workers and keys, for how long.</summary>
public sealed record CheckerOptions
{
    /// <summary>"host:port" of each proxy; every worker spreads its requests over all of them, round robin.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>Tasks sending INCR, one request at a time each.</summary>
    public int Writers { get; init; } = 8;

    /// <summary>Tasks sending GET and checking the value.</summary>
    public int Readers { get; init; } = 4;

    /// <summary>Number of counters ("prefix:0" … "prefix:N-1").</summary>
    public int Keys { get; init; } = 1000;

    /// <summary>Key name prefix.</summary>
    public string Prefix { get; init; } = "chk";

    /// <summary>How long to run; null to run until the token passed to <see cref="CounterChecker.RunAsync"/> is cancelled.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Set every counter to 0 first (MSET through the first endpoint) instead of starting from their current values.</summary>
    public bool Reset { get; init; }

    /// <summary>Sent as <c>AUTH</c> on every connection when set ("password" or "namespace password").</summary>
    public string? Password { get; init; }

    /// <summary>Bound on one request; a request that takes longer counts as an error and its connection is replaced.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Endpoints.Count == 0)
        {
            throw new ArgumentException("give at least one endpoint (host:port of a proxy), e.g. --endpoints 127.0.0.1:19000,127.0.0.1:19001");
        }

        if (Writers < 1 || Readers < 0 || Keys < 1)
        {
            throw new ArgumentException($"need at least 1 writer and 1 key, and no negative readers; got {Writers} writers, {Readers} readers, {Keys} keys");
        }

        if (Duration is { } duration && duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"the duration must be positive; got {duration}");
        }
    }
}
