namespace Tessera.Controller.Migration;

/// <summary>
/// A token bucket for the mover's throttle (keys/s or bytes/s). A take may overdraw the bucket (a batch or a
/// big key bigger than the burst still goes through), and the next take waits until the debt is paid back,
/// so the long-run rate is the configured one whatever the item sizes. The rate can change while it is used.
/// </summary>
internal sealed class TokenBucket
{
    /// <summary>Tokens never pile up beyond this much time's worth, so a pause is not followed by a burst.</summary>
    private static readonly TimeSpan Burst = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _rate;
    private double _tokens;
    private long _last;

    public TokenBucket(long perSecond, TimeProvider time)
    {
        _time = time;
        _last = time.GetTimestamp();
        SetRate(perSecond);
    }

    /// <summary>Tokens per second; 0 for no limit.</summary>
    public long Rate => (long)Volatile.Read(ref _rate);

    public void SetRate(long perSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        lock (_gate)
        {
            Refill();
            _rate = perSecond;
            _tokens = Math.Min(_tokens, Capacity());
        }
    }

    /// <summary>Waits until <paramref name="amount"/> may be used under the rate, then takes it.</summary>
    public async ValueTask TakeAsync(long amount, CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                if (_rate <= 0)
                {
                    return;
                }

                Refill();
                if (_tokens >= 0)
                {
                    _tokens -= amount;
                    return;
                }

                wait = TimeSpan.FromSeconds(Math.Min(1.0, -_tokens / _rate));
            }

            // Re-checked after the wait: the rate may have changed meanwhile.
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_last, now);
        _last = now;
        if (_rate > 0)
        {
            _tokens = Math.Min(Capacity(), _tokens + (elapsed.TotalSeconds * _rate));
        }
    }

    private double Capacity() => Math.Max(1, _rate * Burst.TotalSeconds);
}
