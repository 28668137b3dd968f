using System.Buffers;

namespace Tessera.Resp.Protocol;

/// <summary>
/// Finds where one RESP2/RESP3 value ends without materialising it, so replies can be forwarded
/// byte for byte. Handles every RESP3 type, nested aggregates, attributes (which precede the value
/// they describe) and push messages.
/// </summary>
/// <remarks>
/// Nesting is handled without recursion: a counter holds how many values are still expected, an aggregate of n
/// elements adds n (a map 2n) in place of itself, and an attribute adds 2n while the value it describes is still
/// owed. The reply ends when the counter reaches zero. Progress lives in <see cref="ReplyScanState"/>, so a
/// million-element reply arriving in pieces is walked once.
/// </remarks>
public static class ReplyScanner
{
    // Keeps the counter far from overflow whatever counts a peer declares.
    private const long MaxRemaining = 1L << 60;

    // ':' '_' '#' values are short; a longer line without '\n' is malformed rather than something to wait for.
    private const int ShortLineLimit = RespLength.MaxHeaderBytes;

    // A sign and the 19 digits of a 64-bit integer; must stay below ShortLineLimit - 3 so that the verdict on a
    // long ':' line does not depend on whether its newline has arrived.
    private const int MaxIntegerText = 20;

    private enum Step
    {
        Parsed,
        NeedMore,
        Error,
    }

    /// <summary>
    /// Scans one value at the start of <paramref name="input"/>. <see cref="ParseStatus.Complete"/> sets
    /// <paramref name="length"/> to its byte length and resets <paramref name="state"/>;
    /// <see cref="ParseStatus.Incomplete"/> keeps progress in <paramref name="state"/> so the next call,
    /// with the same start and more bytes, resumes instead of rescanning; <see cref="ParseStatus.Error"/>
    /// means the bytes are not RESP.
    /// </summary>
    public static ParseStatus TryScan(in ReadOnlySequence<byte> input, ref ReplyScanState state, out long length)
    {
        length = 0;
        if (state.Remaining == 0)
        {
            state.Reset();
            state.Remaining = 1;
        }

        ParseStatus status = input.IsSingleSegment
            ? ScanSpan(input.FirstSpan.Slice((int)state.Scanned), ref state) switch
            {
                Step.Parsed => ParseStatus.Complete,
                Step.NeedMore => ParseStatus.Incomplete,
                _ => ParseStatus.Error,
            }
            : ScanSegments(input, ref state);

        if (status == ParseStatus.Complete)
        {
            length = state.Scanned;
            state.Reset();
        }
        else if (status == ParseStatus.Error)
        {
            state.Reset();
        }

        return status;
    }

    /// <summary>The same walk as <see cref="ScanSpan"/>, over a sequence of several segments.</summary>
    private static ParseStatus ScanSegments(in ReadOnlySequence<byte> input, ref ReplyScanState state)
    {
        // Waiting for a large blob: answer from lengths alone, without touching the segments.
        if (state.Pending != 0 && input.Length - state.Scanned < state.Pending)
        {
            return ParseStatus.Incomplete;
        }

        var reader = new SequenceReader<byte>(input.Slice(ResumePoint.Locate(input, state.ResumeStart, state.ResumeAt, state.Scanned)));
        Span<byte> header = stackalloc byte[RespLength.MaxHeaderBytes];
        while (true)
        {
            // Invariant: reader.Position is state.Scanned bytes into the reply.
            if (state.Pending != 0)
            {
                long pending = state.Pending;
                if (reader.Remaining < pending)
                {
                    break;
                }

                reader.Advance(pending - 2);
                reader.TryRead(out byte cr);
                reader.TryRead(out byte lf);
                if (cr != (byte)'\r' || lf != (byte)'\n')
                {
                    return ParseStatus.Error;
                }

                state.Scanned += pending;
                state.Pending = 0;
                if (--state.Remaining == 0)
                {
                    return ParseStatus.Complete;
                }

                continue;
            }

            ReadOnlySpan<byte> span = reader.UnreadSpan;
            long before = state.Scanned;
            Step step = ScanSpan(span, ref state);
            long unscanned = span.Length - (state.Scanned - before);
            reader.Advance(state.Scanned - before);
            if (step != Step.NeedMore)
            {
                return step == Step.Parsed ? ParseStatus.Complete : ParseStatus.Error;
            }

            if (state.Pending != 0)
            {
                continue; // the blob runs on into later segments
            }

            long available = reader.Remaining;
            if (available == unscanned)
            {
                break; // nothing after this span yet
            }

            if (unscanned == 0 && span.Length > 0)
            {
                continue; // the span ended on a value boundary: go on with the next one
            }

            // The next value's header or line straddles a segment boundary.

            Span<byte> copy = header.Slice(0, (int)Math.Min(header.Length, available));
            reader.TryCopyTo(copy);
            long remaining = state.Remaining;
            long blob = 0;
            step = ScanValueHeader(copy, ref state.LineSearched, ref remaining, ref blob, out int used);
            if (step == Step.Error)
            {
                return ParseStatus.Error;
            }

            if (step == Step.NeedMore)
            {
                if (copy.Length < header.Length)
                {
                    break; // everything available was seen
                }

                // A simple string, error, double or big number longer than the copy, crossing segments.
                step = ScanLongLine(ref reader, ref state);
                if (step == Step.NeedMore)
                {
                    break;
                }

                if (step == Step.Error)
                {
                    return ParseStatus.Error;
                }

                if (state.Remaining == 0)
                {
                    return ParseStatus.Complete;
                }

                continue;
            }

            reader.Advance(used);
            state.Scanned += used;
            state.Remaining = remaining;
            state.Pending = blob;
            if (remaining == 0)
            {
                return ParseStatus.Complete;
            }
        }

        state.ResumeStart = input.Start;
        state.ResumeAt = reader.Position;
        return ParseStatus.Incomplete;
    }

    /// <summary>
    /// Finds the end of a long line-type value at the reader's position. On success the reader is past it;
    /// otherwise it stays at the value's start and <see cref="ReplyScanState.LineSearched"/> records how far was looked.
    /// </summary>
    private static Step ScanLongLine(ref SequenceReader<byte> reader, ref ReplyScanState state)
    {
        // Resume one byte before where the search stopped, so the byte before '\n' can be checked for '\r'.
        long skip = Math.Max(1, state.LineSearched - 1);
        SequenceReader<byte> probe = reader;
        probe.Advance(skip);
        if (!probe.TryReadTo(out ReadOnlySequence<byte> tail, (byte)'\n'))
        {
            state.LineSearched = skip + probe.Remaining;
            return Step.NeedMore;
        }

        if (tail.IsEmpty || LastByte(tail) != (byte)'\r')
        {
            return Step.Error;
        }

        long length = probe.Consumed - reader.Consumed;
        if (reader.UnreadSpan[0] == (byte)'(' && !IsInteger(reader.UnreadSequence.Slice(1, length - 3)))
        {
            return Step.Error; // the same check ScanLine makes on a big number that fits in one span
        }

        state.Scanned += length;
        state.LineSearched = 0;
        state.Remaining--;
        reader = probe;
        return Step.Parsed;
    }

    private static byte LastByte(in ReadOnlySequence<byte> bytes) => bytes.IsSingleSegment
        ? bytes.FirstSpan[^1]
        : bytes.Slice(bytes.Length - 1).FirstSpan[0];

    /// <summary>
    /// Walks whole values from <paramref name="span"/>, which starts <see cref="ReplyScanState.Scanned"/> bytes into the
    /// reply, and advances the state past them. Returns <see cref="Step.Parsed"/> when the reply is complete and
    /// <see cref="Step.NeedMore"/> at the first value that does not fit in the span.
    /// </summary>
    private static Step ScanSpan(ReadOnlySpan<byte> span, ref ReplyScanState state)
    {
        int pos = 0;
        long remaining = state.Remaining;
        long pending = state.Pending;
        Step result;
        while (true)
        {
            if (pending != 0)
            {
                if (span.Length - pos < pending)
                {
                    result = Step.NeedMore;
                    break;
                }

                int end = pos + (int)pending;
                if (span[end - 2] != (byte)'\r' || span[end - 1] != (byte)'\n')
                {
                    result = Step.Error;
                    break;
                }

                pos = end;
                pending = 0;
                if (--remaining == 0)
                {
                    result = Step.Parsed;
                    break;
                }

                continue;
            }

            result = ScanValueHeader(span.Slice(pos), ref state.LineSearched, ref remaining, ref pending, out int used);
            if (result != Step.Parsed)
            {
                break;
            }

            pos += used;
            if (remaining == 0)
            {
                break;
            }
        }

        state.Scanned += pos;
        state.Remaining = remaining;
        state.Pending = pending;
        return result;
    }

    /// <summary>
    /// Reads the value header at the start of <paramref name="span"/>: a whole line-type value, a blob header (the
    /// payload is left in <paramref name="pending"/>) or an aggregate header (its elements go to <paramref name="remaining"/>).
    /// </summary>
    private static Step ScanValueHeader(ReadOnlySpan<byte> span, ref long lineSearched, ref long remaining, ref long pending, out int used)
    {
        used = 0;
        if (span.IsEmpty)
        {
            return Step.NeedMore;
        }

        byte type = span[0];
        switch (type)
        {
            case (byte)'$':
            case (byte)'=':
            case (byte)'!':
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
            case (byte)'|':
                break;
            case (byte)'+':
            case (byte)'-':
            case (byte)':':
            case (byte)',':
            case (byte)'(':
            case (byte)'_':
            case (byte)'#':
                return ScanLine(span, ref lineSearched, ref remaining, out used);
            default:
                return Step.Error;
        }

        // Streamed values ("$?", "*?") parse as malformed here: Redis does not send them.
        LengthResult parsed = RespLength.Parse(span.Slice(1), long.MaxValue, out long value, out int lineLength);
        if (parsed == LengthResult.NeedMore)
        {
            return Step.NeedMore;
        }

        if (parsed != LengthResult.Ok)
        {
            return Step.Error;
        }

        used = lineLength + 1;
        if (value < 0)
        {
            // Only RESP2's null bulk string and null array use a negative length.
            if (value != -1 || (type != (byte)'$' && type != (byte)'*'))
            {
                return Step.Error;
            }

            remaining--;
            return Step.Parsed;
        }

        switch (type)
        {
            case (byte)'$':
            case (byte)'=':
            case (byte)'!':
                pending = value + 2;
                return Step.Parsed;
            case (byte)'%':
                remaining += (2 * value) - 1;
                break;
            case (byte)'|':
                remaining += 2 * value; // the described value is still owed
                break;
            default:
                remaining += value - 1;
                break;
        }

        return remaining > MaxRemaining ? Step.Error : Step.Parsed;
    }

    private static Step ScanLine(ReadOnlySpan<byte> span, ref long lineSearched, ref long remaining, out int used)
    {
        used = 0;
        byte type = span[0];
        int from = (int)Math.Min(Math.Max(1, lineSearched), span.Length);
        int index = span.Slice(from).IndexOf((byte)'\n');
        if (index < 0)
        {
            if (span.Length >= ShortLineLimit && type is (byte)':' or (byte)'_' or (byte)'#')
            {
                return Step.Error;
            }

            lineSearched = Math.Max(lineSearched, span.Length);
            return Step.NeedMore;
        }

        int newline = from + index;
        if (newline < 2 || span[newline - 1] != (byte)'\r')
        {
            return Step.Error;
        }

        ReadOnlySpan<byte> content = span.Slice(1, newline - 2);
        bool valid = type switch
        {
            (byte)':' => content.Length <= MaxIntegerText && IsInteger(content),
            (byte)'(' => IsInteger(content),
            (byte)'_' => content.IsEmpty,
            (byte)'#' => content.Length == 1 && (content[0] == (byte)'t' || content[0] == (byte)'f'),
            (byte)',' => !content.IsEmpty,
            _ => true,
        };
        if (!valid)
        {
            return Step.Error;
        }

        used = newline + 1;
        lineSearched = 0;
        remaining--;
        return Step.Parsed;
    }

    private static bool IsInteger(in ReadOnlySequence<byte> text)
    {
        if (text.IsSingleSegment)
        {
            return IsInteger(text.FirstSpan);
        }

        bool atStart = true;
        long digits = 0;
        foreach (ReadOnlyMemory<byte> segment in text)
        {
            ReadOnlySpan<byte> span = segment.Span;
            if (atStart && !span.IsEmpty)
            {
                atStart = false;
                if (span[0] == (byte)'-' || span[0] == (byte)'+')
                {
                    span = span.Slice(1);
                }
            }

            if (span.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                return false;
            }

            digits += span.Length;
        }

        return digits > 0;
    }

    private static bool IsInteger(ReadOnlySpan<byte> text)
    {
        if (!text.IsEmpty && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            text = text.Slice(1);
        }

        return !text.IsEmpty && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }
}
