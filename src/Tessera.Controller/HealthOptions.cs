namespace Tessera.Controller;

/// <summary>
/// How controllers watch redis-servers and when they fail a master over (architecture §5). The defaults aim at writes
/// succeeding again through the proxies less than 5 s after a master dies.
/// </summary>
public sealed record HealthOptions
{
    /// <summary>How often each controller probes each server (PING + INFO) while it answers.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A server that has not answered for this long is subjectively down for a controller; a master that a
    /// majority of live controllers see down is failed over.
    /// </summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Bound on one probe; null: a third of <see cref="DownAfter"/>, at most 1 s.</summary>
    public TimeSpan? ProbeTimeout { get; init; }

    /// <summary>A replica further behind its master than this many bytes of replication stream is "lagging" and kept out of reads.</summary>
    public long ReplicaLagThreshold { get; init; } = 1024 * 1024;

    /// <summary>
    /// How often the leader measures every replica against its master for reads (architecture §10): INFO replication
    /// to a group's servers at once, each answer bounded by twice this or 500 ms, whichever is more. A replica that
    /// does not answer, is not linked, is syncing or is more than its namespace's maxLag behind leaves the reads at once.
    /// </summary>
    public TimeSpan FreshnessInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The bound on one freshness answer.</summary>
    public TimeSpan FreshnessTimeout => TimeSpan.FromMilliseconds(Math.Max(500, FreshnessInterval.TotalMilliseconds * 2));

    /// <summary>False: masters that are down are reported (events, status) but not failed over; manual promotion still works.</summary>
    public bool AutomaticFailover { get; init; } = true;

    /// <summary>The probe bound in use.</summary>
    public TimeSpan EffectiveProbeTimeout =>
        ProbeTimeout ?? TimeSpan.FromMilliseconds(Math.Clamp(DownAfter.TotalMilliseconds / 3, 50, 1000));

    /// <summary>
    /// How often a server that failed its last probe is probed again: a quarter of the interval, so "down" is
    /// declared close to <see cref="DownAfter"/> after its last answer rather than up to one interval later.
    /// </summary>
    public TimeSpan SuspectProbeInterval => TimeSpan.FromMilliseconds(Math.Clamp(ProbeInterval.TotalMilliseconds / 4, 20, 250));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (ProbeInterval < TimeSpan.FromMilliseconds(50) || ProbeInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"The probe interval must be between 50 ms and 1 minute; got {ProbeInterval.TotalSeconds} s.");
        }

        if (DownAfter < ProbeInterval || DownAfter > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"--down-after must be at least the probe interval ({ProbeInterval.TotalSeconds} s) and at most 10 minutes; got {DownAfter.TotalSeconds} s.");
        }

        if (EffectiveProbeTimeout <= TimeSpan.Zero || EffectiveProbeTimeout > DownAfter)
        {
            throw new ArgumentException($"The probe timeout must be positive and at most --down-after ({DownAfter.TotalSeconds} s); got {EffectiveProbeTimeout.TotalSeconds} s.");
        }

        if (FreshnessInterval < TimeSpan.FromMilliseconds(20) || FreshnessInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"The replica freshness interval must be between 20 ms and 1 minute; got {FreshnessInterval.TotalMilliseconds} ms.");
        }

        if (ReplicaLagThreshold < 0)
        {
            throw new ArgumentException($"The replica lag threshold must be 0 or more bytes; got {ReplicaLagThreshold}.");
        }
    }
}
