using System.Collections.Concurrent;
using System.Net;

namespace Tessera.Proxy.Tenants;

/// <summary>
/// Slows AUTH failures per client address: after <see cref="FreeFailures"/> failures within <see cref="Window"/>,
/// each further failure from that address earns a pause (doubling up to <see cref="MaxPause"/>) before its session
/// reads again. Only the failing connections wait; other clients are not touched. A success does not forget the
/// failures (a client with one valid password must not be able to keep guessing another's at full speed).
/// </summary>
internal sealed class AuthThrottle
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(5);
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<IPAddress, Entry> _failures = new();
    private readonly TimeProvider _time;

    public AuthThrottle(TimeProvider time) => _time = time;

    /// <summary>Counts a failure from <paramref name="address"/> and returns how long its session should pause (zero at first).</summary>
    public TimeSpan Failed(IPAddress? address)
    {
        if (address is null)
        {
            return TimeSpan.Zero;
        }

        long now = _time.GetTimestamp();
        if (_failures.Count > MaxTracked)
        {
            // A flood from very many addresses: forget the old ones rather than grow without bound.
            foreach (var (key, old) in _failures)
            {
                if (_time.GetElapsedTime(old.Since, now) > Window)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }

        var entry = _failures.AddOrUpdate(
            address,
            static (_, now) => new Entry(now, 1),
            (_, old, now) => _time.GetElapsedTime(old.Since, now) > Window ? new Entry(now, 1) : old with { Count = old.Count + 1 },
            now);
        if (entry.Count <= FreeFailures)
        {
            return TimeSpan.Zero;
        }

        int doublings = Math.Min(entry.Count - FreeFailures - 1, 10);
        var pause = TimeSpan.FromMilliseconds(100 * (1 << doublings));
        return pause < MaxPause ? pause : MaxPause;
    }

    private sealed record Entry(long Since, int Count);
}
