namespace Tessera.Controller.Migration;

/// <summary>
/// Picks how many keys the next <c>MIGRATE … KEYS</c> of one source takes, so that each call blocks the source
/// for about <see cref="MigrationSettings.BatchTargetMs"/>: from the time per key of the last few calls (the
/// least of them), bounded by <see cref="MinKeys"/> and <see cref="MigrationSettings.BatchKeys"/>.
/// </summary>
/// <remarks>
/// <para>Why: MIGRATE holds the source's only thread while it serializes the batch, sends it and waits for the
/// target to store it, and every client command on the source waits that long. Small string keys cost about
/// 5 µs each there, so the 100 keys of the default batch stay under the target and nothing changes; with values
/// of a few KB a fixed batch of 100 blocks for several milliseconds, and the batch shrinks instead.</para>
/// <para>The time is measured by the mover, round trip included, so it also holds the moments the call
/// waited behind client commands or for a CPU. Those only ever add, so the least time per key of the last
/// <see cref="Window"/> calls is the estimate: one slow call does not halve the next batch, while keys that
/// really got bigger show in every call and shrink the batch within a few. A source kept busy by clients
/// still shrinks the batches, which is what a latency-aware mover should do. It never goes below
/// <see cref="MinKeys"/>: the fixed cost of a call (round trip, connection to the target) would then dominate
/// and cost more source CPU per key. Used by one mover's loop only, so it needs no lock.</para>
/// </remarks>
internal sealed class BatchSizer
{
    /// <summary>Fewest keys per batch when adapting (unless <see cref="MigrationSettings.BatchKeys"/> is smaller).</summary>
    public const int MinKeys = 10;

    /// <summary>How many recent calls the estimate looks at.</summary>
    private const int Window = 8;

    private readonly double[] _recent = new double[Window];
    private int _count;

    /// <summary>Keys for the next batch under <paramref name="settings"/>.</summary>
    public int Next(MigrationSettings settings)
    {
        var max = settings.BatchKeys;
        if (settings.BatchTargetMs <= 0 || _count == 0)
        {
            return max;
        }

        var msPerKey = double.MaxValue;
        for (var i = 0; i < Math.Min(_count, Window); i++)
        {
            msPerKey = Math.Min(msPerKey, _recent[i]);
        }

        var keys = settings.BatchTargetMs / msPerKey;
        return (int)Math.Clamp(keys, Math.Min(MinKeys, max), max);
    }

    /// <summary>Records how long a batch of <paramref name="keys"/> took (a successful MIGRATE, round trip included).</summary>
    public void Record(int keys, TimeSpan elapsed)
    {
        if (keys <= 0)
        {
            return;
        }

        _recent[_count % Window] = Math.Max(elapsed.TotalMilliseconds, 0.001) / keys;
        _count = _count == int.MaxValue ? Window : _count + 1;
    }
}
