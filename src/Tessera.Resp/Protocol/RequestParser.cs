using System.Buffers;
using System.Globalization;

namespace Tessera.Resp.Protocol;

/// <summary>
/// Incremental parser for client requests: RESP arrays of bulk strings, and inline commands
/// (a line of space-separated words, with Redis's quoting rules) as typed into telnet.
/// </summary>
/// <remarks>
/// The parser walks a request once, however many reads it arrives in: the frame remembers how many arguments
/// are done, where the next one starts, and the length of a bulk payload still arriving, so a call with more
/// bytes continues where the last one stopped. While a large payload arrives it answers from lengths alone.
/// The common case, a request inside one buffer segment, is parsed from a span; requests that cross segments
/// are walked segment by segment with the same span code, copying only a header that straddles a boundary.
/// </remarks>
public static partial class RequestParser
{
    // Smallest encoding of one argument, "$0\r\n\r\n": a declared count is checked against MaxRequestBytes with it.
    private const int MinArgumentBytes = 6;

    private const string InvalidMultibulkLength = "Protocol error: invalid multibulk length";
    private const string InvalidBulkLength = "Protocol error: invalid bulk length";

    /// <summary>redis-server's own default limit (proto-max-bulk-len, 512 MB): past it Redis answers <see cref="InvalidBulkLength"/>, and so does the proxy.</summary>
    private const long RedisMaxBulkLength = 512L * 1024 * 1024;

    private enum Step
    {
        Done,
        NeedMore,
        Error,
    }

    /// <summary>
    /// Parses one request at the start of <paramref name="input"/> into <paramref name="frame"/>.
    /// <list type="bullet">
    /// <item><see cref="ParseStatus.Complete"/>: <paramref name="frame"/> describes the request; advance the reader by <see cref="RequestFrame.ConsumedLength"/>.
    /// A following call starts a new request.</item>
    /// <item><see cref="ParseStatus.Incomplete"/>: more bytes are needed; call again with the same start and more data (progress is kept in the frame).</item>
    /// <item><see cref="ParseStatus.Error"/>: <see cref="RequestFrame.Error"/> says what was wrong, e.g. "Protocol error: invalid bulk length".</item>
    /// </list>
    /// Empty inline lines are skipped (consumed with <see cref="RequestFrame.Count"/> = 0 and status Complete).
    /// </summary>
    public static ParseStatus TryParse(in ReadOnlySequence<byte> input, RequestFrame frame, RespLimits limits)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(limits);
        if (!frame.InProgress)
        {
            frame.StartRequest();
        }

        if (input.IsEmpty)
        {
            return ParseStatus.Incomplete;
        }

        return FirstByte(input) == (byte)'*' ? ParseMultibulk(input, frame, limits) : ParseInline(input, frame, limits);
    }

    private static byte FirstByte(in ReadOnlySequence<byte> input)
    {
        ReadOnlySpan<byte> first = input.FirstSpan;
        if (first.Length > 0)
        {
            return first[0];
        }

        foreach (ReadOnlyMemory<byte> segment in input)
        {
            if (!segment.IsEmpty)
            {
                return segment.Span[0];
            }
        }

        return 0;
    }

    private static ParseStatus ParseMultibulk(in ReadOnlySequence<byte> input, RequestFrame frame, RespLimits limits)
    {
        if (!input.IsSingleSegment)
        {
            return ParseMultibulkSegments(input, frame, limits);
        }

        Step step = ScanSpan(input.FirstSpan.Slice((int)frame.Scanned), frame, limits);
        return step switch
        {
            Step.Done => Complete(frame, input.Slice(0, frame.Scanned)),
            Step.NeedMore => ParseStatus.Incomplete,
            _ => ParseStatus.Error,
        };
    }

    /// <summary>The same walk as <see cref="ScanSpan"/>, over a sequence of several segments.</summary>
    private static ParseStatus ParseMultibulkSegments(in ReadOnlySequence<byte> input, RequestFrame frame, RespLimits limits)
    {
        // Waiting for a large payload: answer from lengths alone, without touching the segments.
        if (frame.PendingBulk >= 0 && input.Length - frame.Scanned < frame.PendingBulk + 2)
        {
            return ParseStatus.Incomplete;
        }

        var reader = new SequenceReader<byte>(input.Slice(ResumePoint.Locate(input, frame.ResumeStart, frame.ResumeAt, frame.Scanned)));
        Span<byte> header = stackalloc byte[RespLength.MaxHeaderBytes];
        while (true)
        {
            // Invariant: reader.Position is frame.Scanned bytes into the frame.
            if (frame.PendingBulk >= 0)
            {
                long length = frame.PendingBulk;
                if (reader.Remaining < length + 2)
                {
                    break;
                }

                reader.Advance(length);
                reader.TryRead(out byte cr);
                reader.TryRead(out byte lf);
                if (cr != (byte)'\r' || lf != (byte)'\n')
                {
                    Fail(frame, MissingCrlf(frame.ArgIndex, length));
                    return ParseStatus.Error;
                }

                frame.SetArg(frame.ArgIndex++, frame.Scanned, (int)length);
                frame.Scanned += length + 2;
                frame.PendingBulk = -1;
                continue;
            }

            if (frame.ArgIndex == frame.ExpectedCount)
            {
                return Complete(frame, input.Slice(input.Start, reader.Position));
            }

            ReadOnlySpan<byte> span = reader.UnreadSpan;
            long before = frame.Scanned;
            Step step = ScanSpan(span, frame, limits);
            long unscanned = span.Length - (frame.Scanned - before);
            reader.Advance(frame.Scanned - before);
            if (step == Step.Done)
            {
                return Complete(frame, input.Slice(input.Start, reader.Position));
            }

            if (step == Step.Error)
            {
                return ParseStatus.Error;
            }

            if (frame.PendingBulk >= 0)
            {
                continue; // the payload runs on into later segments
            }

            long available = reader.Remaining;
            if (available == unscanned)
            {
                break; // nothing after this span yet
            }

            if (unscanned == 0 && span.Length > 0)
            {
                continue; // the span ended on an element boundary: go on with the next one
            }

            // The next header straddles a segment boundary: parse it from a small copy.
            Span<byte> copy = header.Slice(0, (int)Math.Min(header.Length, available));
            reader.TryCopyTo(copy);
            step = ParseHeader(copy, frame, limits, out int used);
            if (step == Step.Error)
            {
                return ParseStatus.Error;
            }

            if (step == Step.NeedMore)
            {
                break;
            }

            reader.Advance(used);
            frame.Scanned += used;
        }

        frame.ResumeStart = input.Start;
        frame.ResumeAt = reader.Position;
        return ParseStatus.Incomplete;
    }

    /// <summary>
    /// Parses whole elements (the array header, bulk headers, payloads) from <paramref name="span"/>, which starts
    /// <see cref="RequestFrame.Scanned"/> bytes into the frame, and advances the frame's progress past them.
    /// Returns <see cref="Step.NeedMore"/> at the first element that does not fit in the span.
    /// </summary>
    private static Step ScanSpan(ReadOnlySpan<byte> span, RequestFrame frame, RespLimits limits)
    {
        long origin = frame.Scanned;
        int pos = 0;
        Step result;
        while (true)
        {
            long pending = frame.PendingBulk;
            if (pending < 0)
            {
                if (frame.ArgIndex == frame.ExpectedCount)
                {
                    result = Step.Done;
                    break;
                }

                result = ParseHeader(span.Slice(pos), frame, limits, out int used);
                if (result != Step.Done)
                {
                    break;
                }

                pos += used;
                continue;
            }

            if (span.Length - pos < pending + 2)
            {
                result = Step.NeedMore;
                break;
            }

            int length = (int)pending;
            int end = pos + length;
            if (span[end] != (byte)'\r' || span[end + 1] != (byte)'\n')
            {
                result = Fail(frame, MissingCrlf(frame.ArgIndex, length));
                break;
            }

            frame.SetArg(frame.ArgIndex++, origin + pos, length);
            frame.PendingBulk = -1;
            pos = end + 2;
        }

        frame.Scanned = origin + pos;
        return result;
    }

    /// <summary>
    /// Parses the array header ("*N\r\n") or the next bulk header ("$len\r\n") at the start of <paramref name="span"/>,
    /// checking it against the limits before any payload is awaited.
    /// </summary>
    private static Step ParseHeader(ReadOnlySpan<byte> span, RequestFrame frame, RespLimits limits, out int used)
    {
        used = 0;
        if (span.IsEmpty)
        {
            return Step.NeedMore;
        }

        long value;
        int lineLength;
        if (frame.ExpectedCount < 0)
        {
            // span[0] is '*': TryParse only comes here for lines that start with it.
            switch (RespLength.Parse(span.Slice(1), limits.MaxArrayLength, out value, out lineLength))
            {
                case LengthResult.NeedMore:
                    return Step.NeedMore;
                case LengthResult.Malformed:
                    return Fail(frame, InvalidMultibulkLength);
                case LengthResult.TooBig:
                    // Past what Redis itself takes, Redis's words; under that, the proxy's own (tighter) limit says so.
                    return Fail(frame, value > int.MaxValue ? InvalidMultibulkLength : string.Create(CultureInfo.InvariantCulture,
                        $"Protocol error: multibulk length {value} exceeds the limit of {limits.MaxArrayLength} arguments (proxy max-array-length)"));
            }

            used = lineLength + 1;

            // Like Redis, "*0" and "*-1" are empty requests that are consumed and skipped.
            int count = value <= 0 ? 0 : (int)value;
            long declared = used + ((long)count * MinArgumentBytes);
            if (declared > limits.MaxRequestBytes)
            {
                return Fail(frame, RequestTooBig(declared, limits));
            }

            frame.ExpectedCount = count;
            frame.DeclaredBytes = declared;
            frame.Begin(count);
            return Step.Done;
        }

        if (span[0] != (byte)'$')
        {
            return Fail(frame, string.Create(CultureInfo.InvariantCulture, $"Protocol error: expected '$', got '{Printable(span[0])}'"));
        }

        long maxBulk = Math.Min(limits.MaxBulkLength, int.MaxValue - 2);
        switch (RespLength.Parse(span.Slice(1), maxBulk, out value, out lineLength))
        {
            case LengthResult.NeedMore:
                return Step.NeedMore;
            case LengthResult.Malformed:
                return Fail(frame, InvalidBulkLength);
            case LengthResult.TooBig:
                return Fail(frame, value > RedisMaxBulkLength ? InvalidBulkLength : string.Create(CultureInfo.InvariantCulture,
                    $"Protocol error: bulk length {value} exceeds the limit of {limits.MaxBulkLength} bytes (proxy max-bulk-length)"));
        }

        if (value < 0)
        {
            return Fail(frame, InvalidBulkLength);
        }

        used = lineLength + 1;

        // DeclaredBytes is the smallest size the request can still have: the minimal encoding counted for this
        // argument is replaced by its real header and declared payload.
        long total = frame.DeclaredBytes + used + value + 2 - MinArgumentBytes;
        if (total > limits.MaxRequestBytes)
        {
            return Fail(frame, RequestTooBig(total, limits));
        }

        frame.DeclaredBytes = total;
        frame.PendingBulk = value;
        return Step.Done;
    }

    private static ParseStatus Complete(RequestFrame frame, in ReadOnlySequence<byte> data)
    {
        frame.Data = data;
        frame.ConsumedLength = data.Length;
        frame.Count = frame.ExpectedCount;
        frame.IsInline = false;
        frame.InProgress = false;
        frame.ForgetPositions();
        return ParseStatus.Complete;
    }

    private static Step Fail(RequestFrame frame, string error)
    {
        frame.Error = error;
        frame.InProgress = false;
        frame.ForgetPositions();
        return Step.Error;
    }

    private static string MissingCrlf(int index, long length) => string.Create(CultureInfo.InvariantCulture,
        $"Protocol error: the {length}-byte bulk payload of argument {index + 1} is not followed by CRLF");

    private static string RequestTooBig(long declared, RespLimits limits) => string.Create(CultureInfo.InvariantCulture,
        $"Protocol error: request of at least {declared} bytes exceeds the limit of {limits.MaxRequestBytes} bytes (proxy max-request-bytes)");

    /// <summary>A byte as an error text shows it: CR and LF as a space (Redis turns them into spaces in every error), other control and non-ASCII bytes as \\xNN.</summary>
    private static string Printable(byte value) => value switch
    {
        (byte)'\r' or (byte)'\n' => " ",
        >= 0x20 and < 0x7F => ((char)value).ToString(),
        _ => string.Create(CultureInfo.InvariantCulture, $"\\x{value:x2}"),
    };
}
