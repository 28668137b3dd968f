using System.Buffers;

namespace Tessera.Resp.Protocol;

/// <summary>
/// Writes RESP values into any <see cref="IBufferWriter{T}"/> (a PipeWriter, an ArrayBufferWriter)
/// without allocating: numbers are formatted straight into the destination span.
/// Methods taking a <see cref="RespProtocol"/> write the RESP3 type when the client speaks RESP3
/// and its RESP2 equivalent otherwise.
/// </summary>
public static class RespWriter
{
    public static void WriteRaw(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => throw new NotImplementedException();
    public static void WriteRaw(IBufferWriter<byte> writer, in ReadOnlySequence<byte> bytes) => throw new NotImplementedException();
    /// <summary>"+text\r\n"; CR/LF in text are replaced by spaces.</summary>
    public static void WriteSimpleString(IBufferWriter<byte> writer, ReadOnlySpan<byte> text) => throw new NotImplementedException();
    public static void WriteSimpleString(IBufferWriter<byte> writer, string text) => throw new NotImplementedException();
    /// <summary>"-message\r\n"; the message carries its own prefix ("ERR ...", "CROSSSLOT ..."); CR/LF are replaced by spaces.</summary>
    public static void WriteError(IBufferWriter<byte> writer, string message) => throw new NotImplementedException();
    public static void WriteError(IBufferWriter<byte> writer, ReadOnlySpan<byte> message) => throw new NotImplementedException();
    public static void WriteInteger(IBufferWriter<byte> writer, long value) => throw new NotImplementedException();
    public static void WriteBulkString(IBufferWriter<byte> writer, ReadOnlySpan<byte> value) => throw new NotImplementedException();
    public static void WriteBulkString(IBufferWriter<byte> writer, string value) => throw new NotImplementedException();
    public static void WriteBulkString(IBufferWriter<byte> writer, in ReadOnlySequence<byte> value) => throw new NotImplementedException();
    /// <summary>Null bulk string: "$-1\r\n" in RESP2, "_\r\n" in RESP3.</summary>
    public static void WriteNull(IBufferWriter<byte> writer, RespProtocol protocol) => throw new NotImplementedException();
    /// <summary>Null array: "*-1\r\n" in RESP2, "_\r\n" in RESP3.</summary>
    public static void WriteNullArray(IBufferWriter<byte> writer, RespProtocol protocol) => throw new NotImplementedException();
    public static void WriteArrayHeader(IBufferWriter<byte> writer, int count) => throw new NotImplementedException();
    /// <summary>"%pairs" in RESP3, "*2·pairs" in RESP2.</summary>
    public static void WriteMapHeader(IBufferWriter<byte> writer, int pairs, RespProtocol protocol) => throw new NotImplementedException();
    /// <summary>"~count" in RESP3, "*count" in RESP2.</summary>
    public static void WriteSetHeader(IBufferWriter<byte> writer, int count, RespProtocol protocol) => throw new NotImplementedException();
    /// <summary>",value" in RESP3, a bulk string in RESP2 (Redis's formatting: "inf", "-inf", shortest round-trip).</summary>
    public static void WriteDouble(IBufferWriter<byte> writer, double value, RespProtocol protocol) => throw new NotImplementedException();
    /// <summary>"#t"/"#f" in RESP3, ":1"/":0" in RESP2.</summary>
    public static void WriteBoolean(IBufferWriter<byte> writer, bool value, RespProtocol protocol) => throw new NotImplementedException();
    /// <summary>"=len\r\ntxt:text" in RESP3, a bulk string in RESP2.</summary>
    public static void WriteVerbatim(IBufferWriter<byte> writer, string text, RespProtocol protocol) => throw new NotImplementedException();
    /// <summary>A command as an array of bulk strings, e.g. WriteCommand(w, "MIGRATE", host, ...).</summary>
    public static void WriteCommand(IBufferWriter<byte> writer, params ReadOnlySpan<string> args) => throw new NotImplementedException();
}
