using System.Globalization;
using System.Buffers.Binary;

namespace Tessera.Controller.Migration;

/// <summary>
/// Where the mover is in one source master's keyspace: its SCAN cursor, pass and failures. Updated by that
/// source's mover only, read by the progress snapshot; every access takes the lock so the cursor and the
/// failure count it goes with are always saved together.
/// </summary>
internal sealed class SourceCursor
{
    private readonly Lock _gate = new();
    private ulong _cursor;
    private long _passFailures;
    private long _scanned;

    public SourceCursor(SourceProgress saved)
    {
        Group = saved.Group;
        Master = saved.Master;
        RunId = saved.RunId;
        _cursor = ulong.TryParse(saved.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor) ? cursor : 0;
        Pass = saved.Pass;
        _passFailures = saved.PassFailures;
        _scanned = saved.Scanned;
        KeysAtStart = saved.KeysAtStart;
        Done = saved.Done;
    }

    public int Group { get; }

    public string? Master { get; set; }

    public string? RunId { get; set; }

    public int Pass { get; private set; }

    public long? KeysAtStart { get; set; }

    public bool Done { get; private set; }

    /// <summary>Expected keys per moving slot on this source for the rest of the pass (estimate; memory only).</summary>
    public double PriorPerSlot { get; set; }

    /// <summary>Scan fraction when the current pass began or was resumed, and per-slot moved counts then (estimate; memory only).</summary>
    public double FractionAtStart { get; private set; }

    public ulong Cursor
    {
        get
        {
            lock (_gate)
            {
                return _cursor;
            }
        }
    }

    public long PassFailures
    {
        get
        {
            lock (_gate)
            {
                return _passFailures;
            }
        }
    }

    /// <summary>
    /// How far SCAN has come through the keyspace, 0..1. Redis walks hash buckets in reversed-bit order, so the
    /// cursor's bits reversed, read as a fraction of 2^64, is the share of buckets visited, whatever the table size.
    /// </summary>
    public static double FractionOf(ulong cursor) => cursor == 0 ? 0 : ReverseBits(cursor) / 18446744073709551616.0;

    /// <summary>Share of the current pass done.</summary>
    public double Fraction => FractionOf(Cursor);

    /// <summary>A new pass from cursor 0.</summary>
    public void BeginPass()
    {
        lock (_gate)
        {
            _cursor = 0;
            _passFailures = 0;
            _scanned = 0;
            Pass++;
            FractionAtStart = 0;
        }
    }

    /// <summary>The current pass goes on from the saved cursor (after a restart).</summary>
    public void Resume() => FractionAtStart = FractionOf(Cursor);

    /// <summary>The source server changed (restart, failover): its cursor means nothing there, so the pass starts over.</summary>
    public void Restart(string runId)
    {
        RunId = runId;
        BeginPass();
    }

    /// <summary>A page of SCAN is fully handled: the cursor moves on with the failures it had.</summary>
    public void Advance(ulong next, int scanned, long failures)
    {
        lock (_gate)
        {
            _cursor = next;
            _scanned += scanned;
            _passFailures += failures;
        }
    }

    /// <summary>Ends a pass; true (and done) when nothing failed in it.</summary>
    public bool EndPass()
    {
        lock (_gate)
        {
            Done = _passFailures == 0;
            return Done;
        }
    }

    public SourceProgress Snapshot()
    {
        lock (_gate)
        {
            return new SourceProgress
            {
                Group = Group,
                Master = Master,
                RunId = RunId,
                Cursor = _cursor.ToString(CultureInfo.InvariantCulture),
                Pass = Pass,
                PassFailures = _passFailures,
                Scanned = _scanned,
                KeysAtStart = KeysAtStart,
                Done = Done,
            };
        }
    }

    private static ulong ReverseBits(ulong v)
    {
        // Swap ever larger halves; BitOperations has no bit reversal.
        v = ((v >> 1) & 0x5555555555555555UL) | ((v & 0x5555555555555555UL) << 1);
        v = ((v >> 2) & 0x3333333333333333UL) | ((v & 0x3333333333333333UL) << 2);
        v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((v & 0x0F0F0F0F0F0F0F0FUL) << 4);
        return BinaryPrimitives.ReverseEndianness(v);
    }
}
