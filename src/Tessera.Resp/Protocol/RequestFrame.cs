using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Tessera.Resp.Protocol;

/// <summary>
/// Where one client request lies in the receive buffer: its arguments as offsets, never copied.
/// One instance is reused for every request of a session, so parsing allocates nothing in
/// steady state. Valid until the caller advances its reader past <see cref="ConsumedLength"/>.
/// </summary>
public sealed class RequestFrame
{
    private const int InitialCapacity = 16;

    // After a request with more arguments than this, the next ordinary request gives the big arrays back,
    // so a session that once sent a 1M-argument MSET does not keep megabytes of offsets for the rest of its life.
    private const int LargeCapacity = 64 * 1024;

    private long[] _offsets = new long[InitialCapacity];
    private int[] _lengths = new int[InitialCapacity];
    private byte[] _scratch = new byte[256];

    // Parse progress, owned by RequestParser so that a frame split over many reads is not rescanned.
    internal bool InProgress;
    internal int ExpectedCount;
    internal long Scanned;
    internal long DeclaredBytes;

    /// <summary>Arguments fully parsed so far.</summary>
    internal int ArgIndex;

    /// <summary>Payload length of the bulk string whose header was read but whose payload has not all arrived; -1 when none.</summary>
    internal long PendingBulk = -1;

    /// <summary>Where the last call stopped, for resuming in a multi-segment sequence (see <see cref="ResumePoint"/>).</summary>
    internal SequencePosition ResumeStart;

    /// <summary>Position of <see cref="Scanned"/> in the sequence the last call saw.</summary>
    internal SequencePosition ResumeAt;

    /// <summary>Scratch copy of an inline command line, unquoted in place before it is re-encoded.</summary>
    internal byte[] LineBuffer = [];

    /// <summary>Re-encoded RESP bytes of an inline command (what is forwarded instead of the raw line).</summary>
    internal byte[] InlineBuffer = new byte[128];

    /// <summary>Number of arguments, the command name included.</summary>
    public int Count { get; internal set; }

    /// <summary>Bytes of input this request occupied (for an inline command, the line and its terminator).</summary>
    public long ConsumedLength { get; internal set; }

    /// <summary>True when the request came as an inline command line (telnet style).</summary>
    public bool IsInline { get; internal set; }

    /// <summary>The request as a RESP array, ready to forward: a slice of the input, or the re-encoded inline command.</summary>
    public ReadOnlySequence<byte> Data { get; internal set; }

    /// <summary>What was wrong with the input when the parser returned <see cref="ParseStatus.Error"/>, without the "ERR " prefix.</summary>
    public string? Error { get; internal set; }

    /// <summary>Offset of argument <paramref name="index"/>'s payload from the start of <see cref="Data"/>.</summary>
    public long ArgOffset(int index) => _offsets[index];

    /// <summary>Payload length of argument <paramref name="index"/>.</summary>
    public int ArgLength(int index) => _lengths[index];

    /// <summary>Argument <paramref name="index"/> as a sequence slice (no copy).</summary>
    public ReadOnlySequence<byte> Arg(int index) => Data.Slice(_offsets[index], _lengths[index]);

    /// <summary>
    /// Argument <paramref name="index"/> as one span. Free when the frame is contiguous; otherwise the
    /// bytes are copied into a scratch buffer owned by this frame, valid until the next call.
    /// </summary>
    public ReadOnlySpan<byte> ArgSpan(int index)
    {
        var data = Data;
        long offset = _offsets[index];
        int length = _lengths[index];
        if (data.IsSingleSegment)
        {
            return data.FirstSpan.Slice((int)offset, length);
        }

        var first = data.FirstSpan;
        if (offset + length <= first.Length)
        {
            return first.Slice((int)offset, length);
        }

        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }

        data.Slice(offset, length).CopyTo(_scratch);
        return _scratch.AsSpan(0, length);
    }

    /// <summary>True when argument <paramref name="index"/> equals <paramref name="upperAscii"/> ignoring ASCII case.</summary>
    public bool ArgEquals(int index, ReadOnlySpan<byte> upperAscii)
    {
        if (index >= Count || _lengths[index] != upperAscii.Length)
        {
            return false;
        }

        return Ascii.EqualsIgnoreCase(ArgSpan(index), upperAscii);
    }

    /// <summary>Parses argument <paramref name="index"/> as a decimal 64-bit integer.</summary>
    public bool TryGetInt64(int index, out long value)
    {
        value = 0;
        if (index >= Count)
        {
            return false;
        }

        var span = ArgSpan(index);
        return Utf8Parser.TryParse(span, out value, out int used) && used == span.Length && span.Length > 0;
    }

    internal void Begin(int count)
    {
        // The arrays grow in SetArg as arguments actually arrive: a client that only declares a huge count
        // must not make us allocate for it.
        if (_offsets.Length > LargeCapacity && count <= InitialCapacity)
        {
            _offsets = new long[InitialCapacity];
            _lengths = new int[InitialCapacity];
        }

        Count = count;
    }

    internal void SetArg(int index, long offset, int length)
    {
        if ((uint)index >= (uint)_offsets.Length)
        {
            Grow(index + 1);
        }

        _offsets[index] = offset;
        _lengths[index] = length;
    }

    private void Grow(int needed)
    {
        int size = Math.Max(needed, _offsets.Length * 2);
        Array.Resize(ref _offsets, size);
        Array.Resize(ref _lengths, size);
    }

    /// <summary>Clears the outputs and progress of the previous request before parsing a new one.</summary>
    internal void StartRequest()
    {
        Reset();
        InProgress = true;
        ExpectedCount = -1;
    }

    /// <summary>Drops the saved sequence positions so the frame does not keep the caller's buffers reachable.</summary>
    internal void ForgetPositions()
    {
        ResumeStart = default;
        ResumeAt = default;
    }

    /// <summary>Forgets any parse progress; the next parse starts a new request.</summary>
    public void Reset()
    {
        InProgress = false;
        ExpectedCount = 0;
        Scanned = 0;
        DeclaredBytes = 0;
        ArgIndex = 0;
        PendingBulk = -1;
        ResumeStart = default;
        ResumeAt = default;
        Count = 0;
        ConsumedLength = 0;
        IsInline = false;
        Data = default;
        Error = null;
    }
}
