using Tessera.Controller.Metrics;
using Tessera.Controller.Topology;

namespace Tessera.Controller.Migration;

/// <summary>
/// The live progress of one running migration: keys and bytes moved per slot, each source's cursor, big keys and
/// the last problem. The movers of several sources update it at once (their slots are disjoint; totals are
/// interlocked), and <see cref="ApplyTo"/> turns it into the record saved about once a second, with the rate,
/// the keys left and the ETA estimated on the way.
/// </summary>
internal sealed class MigrationProgress
{
    /// <summary>Seconds of history the rate is measured over.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly long[] _moved = new long[SlotTable.SlotCount];
    private readonly long[] _movedAtPassStart = new long[SlotTable.SlotCount];
    private readonly int[] _slotSource;
    private readonly int[] _slots;
    private readonly Lock _gate = new();
    private readonly List<BigKeyReport> _bigKeys;
    private readonly Queue<(long At, long Keys, long Bytes)> _samples = new();
    private long _keysMoved;
    private long _bytesMoved;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    private readonly ControllerMetrics _metrics;
    private readonly string _namespace;

    public MigrationProgress(SlotMigration migration, IReadOnlyList<SourceCursor> sources, ControllerMetrics metrics, TimeProvider time)
    {
        _metrics = metrics;
        _namespace = migration.Namespace;
        _time = time;
        Sources = sources;
        _slotSource = new int[SlotTable.SlotCount];
        _slots = [.. migration.Slots.Select(static s => s.Slot)];
        foreach (var slot in migration.Slots)
        {
            _moved[slot.Slot] = slot.Moved;
            _movedAtPassStart[slot.Slot] = slot.Moved;
            _slotSource[slot.Slot] = slot.Source;
        }

        _keysMoved = migration.KeysMoved;
        _bytesMoved = migration.BytesMoved;
        _bigKeys = [.. migration.BigKeys];
        _lastError = migration.LastError;
        _lastErrorAt = migration.LastErrorAt;
    }

    public IReadOnlyList<SourceCursor> Sources { get; }

    public long KeysMoved => Interlocked.Read(ref _keysMoved);

    /// <summary>Counts keys moved out of <paramref name="slot"/> by the mover.</summary>
    public void AddMoved(int slot, long keys, long bytes)
    {
        Interlocked.Add(ref _moved[slot], keys);
        Interlocked.Add(ref _keysMoved, keys);
        Interlocked.Add(ref _bytesMoved, bytes);
        _metrics.Moved(_namespace, keys, bytes);
    }

    /// <summary>Remembers the per-slot counts of a source's slots as the start of a (resumed) pass, for the estimate.</summary>
    public void MarkPassStart(bool[] slotsOfSource)
    {
        for (var slot = 0; slot < slotsOfSource.Length; slot++)
        {
            if (slotsOfSource[slot])
            {
                _movedAtPassStart[slot] = Interlocked.Read(ref _moved[slot]);
            }
        }
    }

    /// <summary>Adds or updates the report of a big key (matched by key), keeping the newest <see cref="SlotMigration.MaxBigKeys"/>.</summary>
    public void ReportBigKey(BigKeyReport report)
    {
        lock (_gate)
        {
            var index = _bigKeys.FindIndex(k => k.Key == report.Key);
            if (index >= 0)
            {
                _bigKeys.RemoveAt(index);
            }

            _bigKeys.Add(report);
            if (_bigKeys.Count > SlotMigration.MaxBigKeys)
            {
                _bigKeys.RemoveAt(0);
            }
        }
    }

    public void ReportError(string? error)
    {
        lock (_gate)
        {
            _lastError = error;
            _lastErrorAt = error is null ? null : _time.GetUtcNow();
        }
    }

    /// <summary><paramref name="migration"/> with this progress, the rate, keys left and ETA filled in.</summary>
    public SlotMigration ApplyTo(SlotMigration migration)
    {
        var now = _time.GetTimestamp();
        var keys = KeysMoved;
        var bytes = Interlocked.Read(ref _bytesMoved);
        double rate, byteRate;
        List<BigKeyReport> bigKeys;
        string? lastError;
        DateTimeOffset? lastErrorAt;
        lock (_gate)
        {
            _samples.Enqueue((now, keys, bytes));
            while (_samples.Count > 2 && _time.GetElapsedTime(_samples.Peek().At, now) > RateWindow)
            {
                _samples.Dequeue();
            }

            var oldest = _samples.Peek();
            var seconds = _time.GetElapsedTime(oldest.At, now).TotalSeconds;
            rate = seconds > 0.2 ? (keys - oldest.Keys) / seconds : 0;
            byteRate = seconds > 0.2 ? (bytes - oldest.Bytes) / seconds : 0;
            bigKeys = [.. _bigKeys];
            lastError = _lastError;
            lastErrorAt = _lastErrorAt;
        }

        var bySource = Sources.ToDictionary(static s => s.Group);
        var slots = new List<SlotProgress>(_slots.Length);
        long left = 0;
        var estimated = false;
        foreach (var slot in _slots)
        {
            var moved = Interlocked.Read(ref _moved[slot]);
            long? slotLeft = null;
            var scannedFrom = migration.Reverse ? migration.Target : _slotSource[slot];
            if (bySource.TryGetValue(scannedFrom, out var source))
            {
                slotLeft = EstimateLeft(source, moved - _movedAtPassStart[slot]);
                left += slotLeft.Value;
                estimated = true;
            }

            slots.Add(new SlotProgress { Slot = slot, Source = _slotSource[slot], Moved = moved, Left = slotLeft });
        }

        long? keysLeft = estimated ? left : null;
        return migration with
        {
            KeysMoved = keys,
            BytesMoved = bytes,
            KeysLeft = keysLeft,
            Rate = Math.Round(rate, 1),
            ByteRate = Math.Round(byteRate, 1),
            EtaSeconds = keysLeft is { } l && rate >= 1 ? Math.Round(l / rate, 1) : keysLeft == 0 ? 0 : null,
            Sources = [.. Sources.Select(static s => s.Snapshot())],
            Slots = slots,
            BigKeys = bigKeys,
            LastError = lastError,
            LastErrorAt = lastErrorAt,
        };
    }

    /// <summary>
    /// Keys of one slot still on its source: none once the source's pass found everything moved; otherwise what
    /// this pass moved so far, scaled by how much of the keyspace SCAN has left (once it has seen enough), or
    /// the prior (keys per slot when the source was first counted) less what was moved.
    /// </summary>
    private static long EstimateLeft(SourceCursor source, long movedThisPass)
    {
        if (source.Done)
        {
            return 0;
        }

        var start = source.FractionAtStart;
        var fraction = source.Fraction;
        var seen = fraction - start;
        if (seen >= 0.05 && fraction < 1)
        {
            return (long)Math.Round(movedThisPass * (1 - fraction) / seen);
        }

        return Math.Max(0, (long)Math.Round((source.PriorPerSlot * (1 - start)) - movedThisPass));
    }
}
