using System.Buffers;
using System.Text;
using Tessera.Resp.Protocol;
using Tessera.Resp.Tests.Values;

namespace Tessera.Resp.Tests.Protocol;

public class RespWriterTests
{
    private static string Write(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A writer that hands out tiny spans, to exercise the chunked paths.</summary>
    private sealed class TinyChunkWriter : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new();
        private readonly int _chunk;

        public TinyChunkWriter(int chunk) => _chunk = chunk;

        public byte[] Written => _inner.WrittenSpan.ToArray();

        public void Advance(int count) => _inner.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(Math.Max(sizeHint, _chunk))[..Math.Max(sizeHint, _chunk)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }

    [Fact]
    public void SimpleString_IsWritten_WithCrLfReplaced()
    {
        Assert.Equal("+OK\r\n", Write(w => RespWriter.WriteSimpleString(w, "OK")));
        Assert.Equal("+a b c\r\n", Write(w => RespWriter.WriteSimpleString(w, "a\rb\nc")));
        Assert.Equal("+a  b\r\n", Write(w => RespWriter.WriteSimpleString(w, "a\r\nb"u8)));
        Assert.Equal("+\r\n", Write(w => RespWriter.WriteSimpleString(w, "")));
    }

    [Fact]
    public void Error_IsWritten_WithCrLfReplaced()
    {
        Assert.Equal("-ERR bad thing\r\n", Write(w => RespWriter.WriteError(w, "ERR bad thing")));
        Assert.Equal("-ERR two lines\r\n", Write(w => RespWriter.WriteError(w, "ERR two\nlines")));
        Assert.Equal("-CROSSSLOT x y\r\n", Write(w => RespWriter.WriteError(w, "CROSSSLOT x\ry"u8)));
        Assert.Equal("-ERR héllo\r\n", Write(w => RespWriter.WriteError(w, "ERR héllo")));
    }

    [Theory]
    [InlineData(0L, ":0\r\n")]
    [InlineData(42L, ":42\r\n")]
    [InlineData(-7L, ":-7\r\n")]
    [InlineData(long.MaxValue, ":9223372036854775807\r\n")]
    [InlineData(long.MinValue, ":-9223372036854775808\r\n")]
    public void Integer_IsWritten(long value, string expected) =>
        Assert.Equal(expected, Write(w => RespWriter.WriteInteger(w, value)));

    [Fact]
    public void BulkString_FromBytes_StringAndSequence()
    {
        Assert.Equal("$3\r\nfoo\r\n", Write(w => RespWriter.WriteBulkString(w, "foo"u8)));
        Assert.Equal("$0\r\n\r\n", Write(w => RespWriter.WriteBulkString(w, ReadOnlySpan<byte>.Empty)));
        Assert.Equal("$4\r\na\r\nb\r\n", Write(w => RespWriter.WriteBulkString(w, "a\r\nb")));
        Assert.Equal("$2\r\né\r\n", Write(w => RespWriter.WriteBulkString(w, "é")));
        Assert.Equal("$3\r\n-12\r\n", Write(w => RespWriter.WriteBulkString(w, -12L)));
        Assert.Equal("$3\r\n1.5\r\n", Write(w => RespWriter.WriteBulkString(w, 1.5)));

        ReadOnlySequence<byte> sequence = SegmentedSequence.Split("hello world"u8.ToArray(), 1, 5, 8);
        Assert.Equal("$11\r\nhello world\r\n", Write(w => RespWriter.WriteBulkString(w, sequence)));
    }

    [Fact]
    public void BulkString_Large_IsChunked_ByteExact()
    {
        byte[] payload = new byte[100_000];
        new Random(7).NextBytes(payload);
        byte[] expected = [.. "$100000\r\n"u8, .. payload, .. "\r\n"u8];

        var tiny = new TinyChunkWriter(64);
        RespWriter.WriteBulkString(tiny, payload);
        Assert.Equal(expected, tiny.Written);

        string text = new('x', 20_000);
        Assert.Equal("$20000\r\n" + text + "\r\n", Write(w => RespWriter.WriteBulkString(w, text)));

        var tinyText = new TinyChunkWriter(100);
        RespWriter.WriteBulkString(tinyText, text);
        Assert.Equal("$20000\r\n" + text + "\r\n", Encoding.UTF8.GetString(tinyText.Written));

        ReadOnlySequence<byte> sequence = SegmentedSequence.Split(payload, 10, 50_000, 99_999);
        var tinySequence = new TinyChunkWriter(33);
        RespWriter.WriteBulkString(tinySequence, sequence);
        Assert.Equal(expected, tinySequence.Written);
    }

    [Fact]
    public void Raw_CopiesSpansAndSequences()
    {
        Assert.Equal("abc", Write(w => RespWriter.WriteRaw(w, "abc"u8)));
        ReadOnlySequence<byte> sequence = SegmentedSequence.Split("*1\r\n$4\r\nPING\r\n"u8.ToArray(), 3, 7);
        Assert.Equal("*1\r\n$4\r\nPING\r\n", Write(w => RespWriter.WriteRaw(w, sequence)));

        byte[] big = new byte[5000];
        new Random(1).NextBytes(big);
        var tiny = new TinyChunkWriter(7);
        RespWriter.WriteRaw(tiny, big);
        Assert.Equal(big, tiny.Written);
    }

    [Theory]
    [InlineData(RespProtocol.Resp2, "$-1\r\n", "*-1\r\n")]
    [InlineData(RespProtocol.Resp3, "_\r\n", "_\r\n")]
    public void Nulls_FollowProtocol(RespProtocol protocol, string nullBulk, string nullArray)
    {
        Assert.Equal(nullBulk, Write(w => RespWriter.WriteNull(w, protocol)));
        Assert.Equal(nullArray, Write(w => RespWriter.WriteNullArray(w, protocol)));
    }

    [Fact]
    public void AggregateHeaders_FollowProtocol()
    {
        Assert.Equal("*3\r\n", Write(w => RespWriter.WriteArrayHeader(w, 3)));
        Assert.Equal("*0\r\n", Write(w => RespWriter.WriteArrayHeader(w, 0)));
        Assert.Equal("%2\r\n", Write(w => RespWriter.WriteMapHeader(w, 2, RespProtocol.Resp3)));
        Assert.Equal("*4\r\n", Write(w => RespWriter.WriteMapHeader(w, 2, RespProtocol.Resp2)));
        Assert.Equal("~5\r\n", Write(w => RespWriter.WriteSetHeader(w, 5, RespProtocol.Resp3)));
        Assert.Equal("*5\r\n", Write(w => RespWriter.WriteSetHeader(w, 5, RespProtocol.Resp2)));
        Assert.Equal(">3\r\n", Write(w => RespWriter.WritePushHeader(w, 3, RespProtocol.Resp3)));
        Assert.Equal("*3\r\n", Write(w => RespWriter.WritePushHeader(w, 3, RespProtocol.Resp2)));
    }

    [Theory]
    [InlineData(1.5, "1.5")]
    [InlineData(3.0, "3")]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.25, "-2.25")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(-double.Epsilon, "-5e-324")]
    public void Double_FollowsProtocol_AndRedisFormatting(double value, string text)
    {
        Assert.Equal("," + text + "\r\n", Write(w => RespWriter.WriteDouble(w, value, RespProtocol.Resp3)));
        Assert.Equal($"${text.Length}\r\n{text}\r\n", Write(w => RespWriter.WriteDouble(w, value, RespProtocol.Resp2)));
    }

    [Fact]
    public void Boolean_FollowsProtocol()
    {
        Assert.Equal("#t\r\n", Write(w => RespWriter.WriteBoolean(w, true, RespProtocol.Resp3)));
        Assert.Equal("#f\r\n", Write(w => RespWriter.WriteBoolean(w, false, RespProtocol.Resp3)));
        Assert.Equal(":1\r\n", Write(w => RespWriter.WriteBoolean(w, true, RespProtocol.Resp2)));
        Assert.Equal(":0\r\n", Write(w => RespWriter.WriteBoolean(w, false, RespProtocol.Resp2)));
    }

    [Fact]
    public void Verbatim_FollowsProtocol()
    {
        Assert.Equal("=15\r\ntxt:Some string\r\n", Write(w => RespWriter.WriteVerbatim(w, "Some string", RespProtocol.Resp3)));
        Assert.Equal("$11\r\nSome string\r\n", Write(w => RespWriter.WriteVerbatim(w, "Some string", RespProtocol.Resp2)));
        Assert.Equal("=4\r\ntxt:\r\n", Write(w => RespWriter.WriteVerbatim(w, "", RespProtocol.Resp3)));

        string big = new('v', 10_000);
        Assert.Equal("=10004\r\ntxt:" + big + "\r\n", Write(w => RespWriter.WriteVerbatim(w, big, RespProtocol.Resp3)));
    }

    [Fact]
    public void Command_IsAnArrayOfBulkStrings()
    {
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvälu\r\n", Write(w => RespWriter.WriteCommand(w, "SET", "k", "välu")));
        Assert.Equal("*1\r\n$4\r\nPING\r\n", Write(w => RespWriter.WriteCommand(w, "PING")));
        Assert.Equal("*0\r\n", Write(w => RespWriter.WriteCommand(w)));
    }

    [Fact]
    public void LongSimpleString_IsWrittenWhole()
    {
        string text = new('s', 20_000);
        Assert.Equal("+" + text + "\r\n", Write(w => RespWriter.WriteSimpleString(w, text)));
    }
}
