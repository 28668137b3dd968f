using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Tessera.Resp.Protocol;

/// <summary>
/// Writes RESP values into any <see cref="IBufferWriter{T}"/> (a PipeWriter, an ArrayBufferWriter)
/// without allocating: numbers are formatted straight into the destination span.
/// Methods taking a <see cref="RespProtocol"/> write the RESP3 type when the client speaks RESP3
/// and its RESP2 equivalent otherwise.
/// </summary>
/// <remarks>
/// Small values are written with one GetSpan/Advance pair. Payloads above <see cref="SingleSpanLimit"/>
/// are copied in whatever chunks the writer offers, so a 512 MB bulk string never asks the writer
/// for one contiguous 512 MB block.
/// </remarks>
public static class RespWriter
{
    /// <summary>Type byte + "-9223372036854775808" + CRLF.</summary>
    private const int MaxHeaderLength = 1 + 20 + 2;

    /// <summary>Longest text <see cref="FormatDouble"/> produces ("-1.7976931348623157e+308" is 24).</summary>
    internal const int MaxDoubleLength = 32;

    /// <summary>Payloads up to this size are written with a single span request.</summary>
    private const int SingleSpanLimit = 8 * 1024;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            Span<byte> span = writer.GetSpan();
            int n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            writer.Advance(n);
            bytes = bytes[n..];
        }
    }

    public static void WriteRaw(IBufferWriter<byte> writer, in ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            WriteRaw(writer, bytes.FirstSpan);
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in bytes)
        {
            WriteRaw(writer, segment.Span);
        }
    }

    /// <summary>"+text\r\n"; CR/LF in text are replaced by spaces.</summary>
    public static void WriteSimpleString(IBufferWriter<byte> writer, ReadOnlySpan<byte> text) => WriteLine(writer, (byte)'+', text);

    public static void WriteSimpleString(IBufferWriter<byte> writer, string text) => WriteLine(writer, (byte)'+', text);

    /// <summary>"-message\r\n"; the message carries its own prefix ("ERR ...", "CROSSSLOT ..."); CR/LF are replaced by spaces.</summary>
    public static void WriteError(IBufferWriter<byte> writer, string message) => WriteLine(writer, (byte)'-', message);

    public static void WriteError(IBufferWriter<byte> writer, ReadOnlySpan<byte> message) => WriteLine(writer, (byte)'-', message);

    /// <summary>":value\r\n".</summary>
    public static void WriteInteger(IBufferWriter<byte> writer, long value) => WriteHeader(writer, (byte)':', value);

    /// <summary>"$len\r\nbytes\r\n".</summary>
    public static void WriteBulkString(IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        if (value.Length <= SingleSpanLimit)
        {
            Span<byte> span = writer.GetSpan(MaxHeaderLength + value.Length + 2);
            int at = FormatHeader(span, (byte)'$', value.Length);
            value.CopyTo(span[at..]);
            at += value.Length;
            Crlf.CopyTo(span[at..]);
            writer.Advance(at + 2);
            return;
        }

        WriteHeader(writer, (byte)'$', value.Length);
        WriteRaw(writer, value);
        WriteRaw(writer, Crlf);
    }

    /// <summary>The UTF-8 bytes of <paramref name="value"/> as a bulk string.</summary>
    public static void WriteBulkString(IBufferWriter<byte> writer, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int length = Encoding.UTF8.GetByteCount(value);
        if (length <= SingleSpanLimit)
        {
            Span<byte> span = writer.GetSpan(MaxHeaderLength + length + 2);
            int at = FormatHeader(span, (byte)'$', length);
            at += Encoding.UTF8.GetBytes(value, span[at..]);
            Crlf.CopyTo(span[at..]);
            writer.Advance(at + 2);
            return;
        }

        WriteHeader(writer, (byte)'$', length);
        Encoding.UTF8.GetBytes(value.AsSpan(), writer);
        WriteRaw(writer, Crlf);
    }

    public static void WriteBulkString(IBufferWriter<byte> writer, in ReadOnlySequence<byte> value)
    {
        if (value.IsSingleSegment)
        {
            WriteBulkString(writer, value.FirstSpan);
            return;
        }

        WriteHeader(writer, (byte)'$', value.Length);
        WriteRaw(writer, value);
        WriteRaw(writer, Crlf);
    }

    /// <summary>An integer as a bulk string ("$2\r\n42\r\n"), as command arguments carry numbers.</summary>
    public static void WriteBulkString(IBufferWriter<byte> writer, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int written);
        WriteBulkString(writer, digits[..written]);
    }

    /// <summary>A double as a bulk string, formatted as <see cref="WriteDouble"/> does ("inf", "-inf", "nan", shortest round-trip).</summary>
    public static void WriteBulkString(IBufferWriter<byte> writer, double value)
    {
        Span<byte> text = stackalloc byte[MaxDoubleLength];
        int written = FormatDouble(value, text);
        WriteBulkString(writer, text[..written]);
    }

    /// <summary>Null bulk string: "$-1\r\n" in RESP2, "_\r\n" in RESP3.</summary>
    public static void WriteNull(IBufferWriter<byte> writer, RespProtocol protocol) =>
        WriteRaw(writer, protocol == RespProtocol.Resp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>Null array: "*-1\r\n" in RESP2, "_\r\n" in RESP3.</summary>
    public static void WriteNullArray(IBufferWriter<byte> writer, RespProtocol protocol) =>
        WriteRaw(writer, protocol == RespProtocol.Resp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    /// <summary>"*count\r\n"; the caller writes the elements.</summary>
    public static void WriteArrayHeader(IBufferWriter<byte> writer, int count) => WriteHeader(writer, (byte)'*', count);

    /// <summary>"%pairs" in RESP3, "*2·pairs" in RESP2.</summary>
    public static void WriteMapHeader(IBufferWriter<byte> writer, int pairs, RespProtocol protocol)
    {
        if (protocol == RespProtocol.Resp3)
        {
            WriteHeader(writer, (byte)'%', pairs);
        }
        else
        {
            WriteHeader(writer, (byte)'*', 2L * pairs);
        }
    }

    /// <summary>"~count" in RESP3, "*count" in RESP2.</summary>
    public static void WriteSetHeader(IBufferWriter<byte> writer, int count, RespProtocol protocol) =>
        WriteHeader(writer, protocol == RespProtocol.Resp3 ? (byte)'~' : (byte)'*', count);

    /// <summary>"&gt;count" (RESP3 push, e.g. a pub/sub message); RESP2 has no push type, so it is an array there.</summary>
    public static void WritePushHeader(IBufferWriter<byte> writer, int count, RespProtocol protocol) =>
        WriteHeader(writer, protocol == RespProtocol.Resp3 ? (byte)'>' : (byte)'*', count);

    /// <summary>",value" in RESP3, a bulk string in RESP2 (Redis's formatting: "inf", "-inf", shortest round-trip).</summary>
    public static void WriteDouble(IBufferWriter<byte> writer, double value, RespProtocol protocol)
    {
        Span<byte> span = writer.GetSpan(MaxHeaderLength + MaxDoubleLength + 2);
        if (protocol == RespProtocol.Resp3)
        {
            span[0] = (byte)',';
            int length = 1 + FormatDouble(value, span[1..]);
            Crlf.CopyTo(span[length..]);
            writer.Advance(length + 2);
            return;
        }

        // Format first into a scratch span: the bulk header needs the length before the text.
        Span<byte> text = stackalloc byte[MaxDoubleLength];
        int written = FormatDouble(value, text);
        int at = FormatHeader(span, (byte)'$', written);
        text[..written].CopyTo(span[at..]);
        at += written;
        Crlf.CopyTo(span[at..]);
        writer.Advance(at + 2);
    }

    /// <summary>"#t"/"#f" in RESP3, ":1"/":0" in RESP2.</summary>
    public static void WriteBoolean(IBufferWriter<byte> writer, bool value, RespProtocol protocol)
    {
        ReadOnlySpan<byte> bytes = protocol == RespProtocol.Resp3
            ? (value ? "#t\r\n"u8 : "#f\r\n"u8)
            : (value ? ":1\r\n"u8 : ":0\r\n"u8);
        WriteRaw(writer, bytes);
    }

    /// <summary>"=len\r\ntxt:text" in RESP3, a bulk string in RESP2.</summary>
    public static void WriteVerbatim(IBufferWriter<byte> writer, string text, RespProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (protocol != RespProtocol.Resp3)
        {
            WriteBulkString(writer, text);
            return;
        }

        int length = Encoding.UTF8.GetByteCount(text);
        WriteHeader(writer, (byte)'=', 4L + length);
        WriteRaw(writer, "txt:"u8);
        if (length <= SingleSpanLimit)
        {
            Span<byte> span = writer.GetSpan(length + 2);
            int at = Encoding.UTF8.GetBytes(text, span);
            Crlf.CopyTo(span[at..]);
            writer.Advance(at + 2);
            return;
        }

        Encoding.UTF8.GetBytes(text.AsSpan(), writer);
        WriteRaw(writer, Crlf);
    }

    /// <summary>A command as an array of bulk strings, e.g. WriteCommand(w, "MIGRATE", host, ...).</summary>
    public static void WriteCommand(IBufferWriter<byte> writer, params ReadOnlySpan<string> args)
    {
        WriteArrayHeader(writer, args.Length);
        foreach (string arg in args)
        {
            WriteBulkString(writer, arg);
        }
    }

    /// <summary>
    /// Formats a double the way Redis replies with one: "inf", "-inf", "nan", otherwise the shortest
    /// text that round-trips (.NET's "R"), with a lowercase exponent as C's printf writes it.
    /// Returns the number of bytes written; <paramref name="destination"/> needs <see cref="MaxDoubleLength"/> bytes.
    /// </summary>
    internal static int FormatDouble(double value, Span<byte> destination)
    {
        ReadOnlySpan<byte> special =
            double.IsNaN(value) ? "nan"u8 :
            double.IsPositiveInfinity(value) ? "inf"u8 :
            double.IsNegativeInfinity(value) ? "-inf"u8 :
            default;
        if (!special.IsEmpty)
        {
            special.CopyTo(destination);
            return special.Length;
        }

        if (!value.TryFormat(destination, out int written, "R", CultureInfo.InvariantCulture))
        {
            throw new ArgumentException($"The destination needs {MaxDoubleLength} bytes to format a double.", nameof(destination));
        }

        Span<byte> text = destination[..written];
        int e = text.IndexOf((byte)'E');
        if (e >= 0)
        {
            text[e] = (byte)'e';
        }

        return written;
    }

    /// <summary>Writes "{prefix}{value}\r\n" and returns the byte count; <paramref name="span"/> has room for <see cref="MaxHeaderLength"/>.</summary>
    private static int FormatHeader(Span<byte> span, byte prefix, long value)
    {
        span[0] = prefix;
        Utf8Formatter.TryFormat(value, span[1..], out int written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        return written + 3;
    }

    private static void WriteHeader(IBufferWriter<byte> writer, byte prefix, long value)
    {
        Span<byte> span = writer.GetSpan(MaxHeaderLength);
        writer.Advance(FormatHeader(span, prefix, value));
    }

    /// <summary>A line type (simple string, error): a CR or LF inside would end the line early, so both become spaces.</summary>
    private static void WriteLine(IBufferWriter<byte> writer, byte prefix, ReadOnlySpan<byte> text)
    {
        Span<byte> span = writer.GetSpan(text.Length + 3);
        span[0] = prefix;
        Span<byte> body = span.Slice(1, text.Length);
        text.CopyTo(body);
        body.Replace((byte)'\r', (byte)' ');
        body.Replace((byte)'\n', (byte)' ');
        Crlf.CopyTo(span[(1 + text.Length)..]);
        writer.Advance(text.Length + 3);
    }

    private static void WriteLine(IBufferWriter<byte> writer, byte prefix, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length) + 3);
        span[0] = prefix;
        int length = Encoding.UTF8.GetBytes(text, span[1..]);

        // UTF-8 never uses 0x0D or 0x0A inside a multi-byte sequence, so replacing bytes is safe.
        Span<byte> body = span.Slice(1, length);
        body.Replace((byte)'\r', (byte)' ');
        body.Replace((byte)'\n', (byte)' ');
        Crlf.CopyTo(span[(1 + length)..]);
        writer.Advance(length + 3);
    }
}
