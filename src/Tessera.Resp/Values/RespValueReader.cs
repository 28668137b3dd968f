using System.Buffers;
using System.Buffers.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Values;

/// <summary>
/// Materialises one RESP2/RESP3 value from the start of a buffer: every type
/// (+ - : $ * _ , # ! = ( % ~ &gt;), nested aggregates, and attributes (|), which are read and
/// dropped so the caller gets the value they describe. Not for the hot path: it allocates the value.
/// </summary>
/// <remarks>
/// Stateless: an incomplete value is parsed again from its start on the next call. Callers that
/// buffer very large replies should first find the frame's end with a resumable scanner.
/// </remarks>
public static class RespValueReader
{
    /// <summary>Deeper nesting than this is treated as malformed, so hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 512;

    /// <summary>Largest bulk payload accepted (Redis's own proto-max-bulk-len).</summary>
    public const long MaxBulkLength = 512L * 1024 * 1024;

    /// <summary>Longest numeric header line ("-9223372036854775808"), with room to spare.</summary>
    private const int MaxNumberLength = 32;

    /// <summary>Reads one value; <paramref name="consumed"/> is its byte length when complete.</summary>
    public static ParseStatus TryRead(in ReadOnlySequence<byte> input, out RespValue? value, out long consumed) =>
        TryRead(input, out value, out consumed, out _);

    /// <summary>
    /// Reads one value; <paramref name="consumed"/> is its byte length when complete, and
    /// <paramref name="error"/> says what was malformed when the status is <see cref="ParseStatus.Error"/>.
    /// </summary>
    public static ParseStatus TryRead(in ReadOnlySequence<byte> input, out RespValue? value, out long consumed, out string? error)
    {
        var reader = new SequenceReader<byte>(input);
        error = null;
        ParseStatus status = ReadValue(ref reader, 0, out value, ref error);
        if (status == ParseStatus.Complete)
        {
            consumed = reader.Consumed;
            return status;
        }

        value = null;
        consumed = 0;
        return status;
    }

    private static ParseStatus ReadValue(ref SequenceReader<byte> reader, int depth, out RespValue? value, ref string? error)
    {
        value = null;
        while (true)
        {
            if (depth > MaxDepth)
            {
                return Fail(ref error, $"values are nested more than {MaxDepth} deep");
            }

            if (!reader.TryRead(out byte type))
            {
                return ParseStatus.Incomplete;
            }

            if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            {
                return IsNumericType(type) && reader.Remaining > MaxNumberLength
                    ? Fail(ref error, $"the header of a '{(char)type}' value has no CRLF within {MaxNumberLength} bytes")
                    : ParseStatus.Incomplete;
            }

            switch (type)
            {
                case (byte)'+':
                    value = new RespValue { Kind = RespKind.SimpleString, Bytes = line.ToArray() };
                    return ParseStatus.Complete;
                case (byte)'-':
                    value = new RespValue { Kind = RespKind.Error, Bytes = line.ToArray() };
                    return ParseStatus.Complete;
                case (byte)':':
                    if (!TryParseInteger(line, out long integer))
                    {
                        return Fail(ref error, "an integer (':') is not a valid 64-bit number");
                    }

                    value = RespValue.CreateInteger(integer);
                    return ParseStatus.Complete;
                case (byte)'$':
                case (byte)'!':
                case (byte)'=':
                    return ReadBlob(ref reader, type, line, out value, ref error);
                case (byte)'*':
                case (byte)'~':
                case (byte)'>':
                case (byte)'%':
                    return ReadAggregate(ref reader, type, line, depth, out value, ref error);
                case (byte)'|':
                    // An attribute map describes the value that follows it; read it and drop it.
                    if (!TryParseCount(line, out long pairs) || pairs < 0)
                    {
                        return Fail(ref error, "an attribute ('|') has an invalid count");
                    }

                    for (long i = 0; i < 2 * pairs; i++)
                    {
                        ParseStatus status = ReadValue(ref reader, depth + 1, out _, ref error);
                        if (status != ParseStatus.Complete)
                        {
                            return status;
                        }
                    }

                    continue;
                case (byte)'_':
                    if (line.Length != 0)
                    {
                        return Fail(ref error, "a null ('_') has text after it");
                    }

                    value = RespValue.Null;
                    return ParseStatus.Complete;
                case (byte)',':
                    if (!TryParseDouble(line, out double number))
                    {
                        return Fail(ref error, "a double (',') is not a valid number");
                    }

                    value = RespValue.CreateDouble(number);
                    return ParseStatus.Complete;
                case (byte)'#':
                    byte flag = line.Length == 1 ? FirstByte(line) : (byte)0;
                    if (flag != (byte)'t' && flag != (byte)'f')
                    {
                        return Fail(ref error, "a boolean ('#') is neither 't' nor 'f'");
                    }

                    value = RespValue.CreateBoolean(flag == (byte)'t');
                    return ParseStatus.Complete;
                case (byte)'(':
                    byte[] digits = line.ToArray();
                    if (!IsBigNumber(digits))
                    {
                        return Fail(ref error, "a big number ('(') has characters other than digits");
                    }

                    value = new RespValue { Kind = RespKind.BigNumber, Bytes = digits };
                    return ParseStatus.Complete;
                default:
                    return Fail(ref error, $"unknown type byte 0x{type:x2} ('{(type is >= 0x20 and < 0x7f ? (char)type : '?')}')");
            }
        }
    }

    /// <summary>Bulk strings ($), bulk errors (!) and verbatim strings (=): a length line, the payload, CRLF.</summary>
    private static ParseStatus ReadBlob(ref SequenceReader<byte> reader, byte type, in ReadOnlySequence<byte> line, out RespValue? value, ref string? error)
    {
        value = null;
        if (!TryParseCount(line, out long length) || length < -1 || length > MaxBulkLength)
        {
            return Fail(ref error, $"a '{(char)type}' value has an invalid length");
        }

        if (length == -1)
        {
            if (type != (byte)'$')
            {
                return Fail(ref error, $"a '{(char)type}' value has length -1, which only RESP2 bulk strings may use");
            }

            value = RespValue.Null;
            return ParseStatus.Complete;
        }

        if (reader.Remaining < length + 2)
        {
            return ParseStatus.Incomplete;
        }

        byte[] payload = reader.UnreadSequence.Slice(0, length).ToArray();
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            return Fail(ref error, $"a '{(char)type}' value of length {length} is not followed by CRLF");
        }

        switch (type)
        {
            case (byte)'$':
                value = RespValue.CreateBulkString(payload);
                break;
            case (byte)'!':
                value = new RespValue { Kind = RespKind.Error, Bytes = payload };
                break;
            default:
                if (payload.Length < 4 || payload[3] != (byte)':')
                {
                    return Fail(ref error, "a verbatim string ('=') does not start with a three-letter format and ':'");
                }

                value = new RespValue
                {
                    Kind = RespKind.Verbatim,
                    VerbatimFormat = System.Text.Encoding.ASCII.GetString(payload, 0, 3),
                    Bytes = payload[4..],
                };
                break;
        }

        return ParseStatus.Complete;
    }

    /// <summary>Arrays (*), sets (~), pushes (&gt;) and maps (%, whose pairs are flattened).</summary>
    private static ParseStatus ReadAggregate(ref SequenceReader<byte> reader, byte type, in ReadOnlySequence<byte> line, int depth, out RespValue? value, ref string? error)
    {
        value = null;
        if (!TryParseCount(line, out long count) || count < -1)
        {
            return Fail(ref error, $"a '{(char)type}' value has an invalid count");
        }

        if (count == -1)
        {
            if (type != (byte)'*')
            {
                return Fail(ref error, $"a '{(char)type}' value has count -1, which only RESP2 arrays may use");
            }

            value = RespValue.Null;
            return ParseStatus.Complete;
        }

        long items = type == (byte)'%' ? 2 * count : count;

        // Every element takes at least 3 bytes ("_\r\n"); checking first keeps a bogus huge count
        // from allocating before the bytes that would justify it have arrived.
        if (items > Array.MaxLength)
        {
            return Fail(ref error, $"a '{(char)type}' value has {items} elements, more than can be held");
        }

        if (items * 3 > reader.Remaining)
        {
            return ParseStatus.Incomplete;
        }

        var list = new RespValue[items];
        for (long i = 0; i < items; i++)
        {
            ParseStatus status = ReadValue(ref reader, depth + 1, out RespValue? item, ref error);
            if (status != ParseStatus.Complete)
            {
                return status;
            }

            list[i] = item!;
        }

        RespKind kind = type switch
        {
            (byte)'~' => RespKind.Set,
            (byte)'>' => RespKind.Push,
            (byte)'%' => RespKind.Map,
            _ => RespKind.Array,
        };
        value = new RespValue { Kind = kind, Items = list };
        return ParseStatus.Complete;
    }

    private static bool IsNumericType(byte type) => type is (byte)':' or (byte)'$' or (byte)'!' or (byte)'=' or (byte)'*'
        or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|' or (byte)'_' or (byte)',' or (byte)'#';

    private static bool IsBigNumber(ReadOnlySpan<byte> text)
    {
        if (!text.IsEmpty && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            text = text[1..];
        }

        return !text.IsEmpty && !text.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private static bool TryParseInteger(in ReadOnlySequence<byte> line, out long value)
    {
        value = 0;
        if (line.IsEmpty || line.Length > MaxNumberLength)
        {
            return false;
        }

        ReadOnlySpan<byte> text = ToSpan(line, stackalloc byte[MaxNumberLength]);
        return Utf8Parser.TryParse(text, out value, out int used) && used == text.Length;
    }

    /// <summary>A length or count: digits with an optional '-' (only -1 is meaningful), nothing else.</summary>
    private static bool TryParseCount(in ReadOnlySequence<byte> line, out long value) =>
        TryParseInteger(line, out value) && FirstByte(line) != (byte)'+';

    private static bool TryParseDouble(in ReadOnlySequence<byte> line, out double value)
    {
        value = 0;
        return line.Length <= MaxNumberLength
            && RespValue.TryParseDouble(ToSpan(line, stackalloc byte[MaxNumberLength]), out value);
    }

    private static byte FirstByte(in ReadOnlySequence<byte> sequence) =>
        new SequenceReader<byte>(sequence).TryPeek(out byte first) ? first : (byte)0;

    private static ReadOnlySpan<byte> ToSpan(in ReadOnlySequence<byte> line, Span<byte> scratch)
    {
        if (line.IsSingleSegment)
        {
            return line.FirstSpan;
        }

        line.CopyTo(scratch);
        return scratch[..(int)line.Length];
    }

    private static ParseStatus Fail(ref string? error, string reason)
    {
        error ??= "Protocol error: " + reason + ".";
        return ParseStatus.Error;
    }
}
