namespace Tessera.Proxy.Tenants;

/// <summary>
/// A token bucket shared by the sessions of one namespace on this proxy: <see cref="Rate"/> tokens a second, holding
/// at most <see cref="BurstSeconds"/> worth (the burst: short enough that a measured second stays near the limit,
/// long enough to absorb a pipeline's worth of commands). Sessions take tokens in chunks into their own credit, so the lock here is
/// taken once per chunk, not per command.
/// </summary>
internal sealed class QuotaBucket
{
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private double _tokens;
    private long _refilledAt;
    private double _rate;

    /// <summary>Seconds of tokens the bucket holds at most.</summary>
    public const double BurstSeconds = 0.25;

    public QuotaBucket(TimeProvider time, double rate)
    {
        _time = time;
        _rate = rate;
        _tokens = Burst(rate);
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Tokens added per second (this proxy's share of the namespace's limit).</summary>
    public double Rate => Volatile.Read(ref _rate);

    /// <summary>Changes the rate (the limit changed, or proxies joined or left); the tokens held stay within the new burst.</summary>
    public void SetRate(double rate)
    {
        lock (_lock)
        {
            Refill();
            _rate = rate;
            _tokens = Math.Min(_tokens, Burst(rate));
        }
    }

    /// <summary>
    /// Takes up to <paramref name="want"/> tokens (at least <paramref name="need"/> or none). Returns what was granted;
    /// when 0, <paramref name="wait"/> says how long until <paramref name="need"/> tokens are there.
    /// </summary>
    public long Take(long need, long want, out TimeSpan wait)
    {
        lock (_lock)
        {
            Refill();
            wait = TimeSpan.Zero;
            if (_tokens >= need)
            {
                long granted = (long)Math.Min(want, Math.Floor(_tokens));
                _tokens -= granted;
                return granted;
            }

            // Waits are at least 1 ms and at most a second.
            double missing = need - _tokens;
            wait = TimeSpan.FromSeconds(Math.Clamp(missing / Math.Max(_rate, 1e-9), 0.001, 1.0));
            double burst = Burst(_rate);
            if (need > burst && _tokens >= burst)
            {
                // A single request larger than the whole burst: let it through on a full bucket rather than never.
                _tokens -= need;
                wait = TimeSpan.Zero;
                return need;
            }

            return 0;
        }
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        double seconds = _time.GetElapsedTime(_refilledAt, now).TotalSeconds;
        _refilledAt = now;
        _tokens = Math.Min(Burst(_rate), _tokens + (seconds * _rate));
    }

    private static double Burst(double rate) => Math.Max(1, rate * BurstSeconds);
}
