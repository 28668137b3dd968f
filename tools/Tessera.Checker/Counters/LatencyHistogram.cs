namespace Tessera.Checker.Counters;

/// <summary>
/// Latencies in logarithmic buckets (16 per power of two, so about 4% resolution) from 1 µs to about 70 s:
/// constant memory however long the run, and recording is one interlocked increment.
/// </summary>
public sealed class LatencyHistogram
{
    private const int PerOctave = 16;
    private const int Octaves = 27;
    private readonly long[] _counts = new long[(PerOctave * Octaves) + 1];
    private long _maxTicks;

    /// <summary>Records one latency.</summary>
    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(1.0, latency.TotalMicroseconds);
        var index = Math.Min(_counts.Length - 1, (int)(Math.Log2(micros) * PerOctave));
        Interlocked.Increment(ref _counts[index]);
        long ticks = latency.Ticks, seen;
        while (ticks > (seen = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, seen) != seen)
        {
            // Another thread raised the maximum meanwhile: compare again.
        }
    }

    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    /// <summary>The latency below which <paramref name="fraction"/> of the recorded ones fall (upper edge of its bucket).</summary>
    public TimeSpan Percentile(double fraction)
    {
        long total = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            total += Interlocked.Read(ref _counts[i]);
        }

        if (total == 0)
        {
            return TimeSpan.Zero;
        }

        var wanted = (long)Math.Ceiling(total * fraction);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= wanted)
            {
                var upper = TimeSpan.FromMicroseconds(Math.Pow(2, (i + 1) / (double)PerOctave));
                return upper < Max ? upper : Max;
            }
        }

        return Max;
    }
}
