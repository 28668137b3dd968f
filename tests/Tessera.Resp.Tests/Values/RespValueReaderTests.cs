using System.Buffers;
using System.Text;
using Tessera.Resp.Protocol;
using Tessera.Resp.Values;

using Tessera.Resp.Tests.Protocol;

namespace Tessera.Resp.Tests.Values;

public class RespValueReaderTests
{
    private static RespValue Bulk(string s) => RespValue.CreateBulkString(s);

    private static RespValue Int(long n) => RespValue.CreateInteger(n);

    /// <summary>Every RESP2/RESP3 type, as a server writes it, with the value it must read as.</summary>
    public static TheoryData<string, RespValue> Cases() => new()
    {
        { "+OK\r\n", RespValue.CreateSimpleString("OK") },
        { "+\r\n", RespValue.CreateSimpleString("") },
        { "-ERR unknown command 'FOO'\r\n", RespValue.CreateError("ERR unknown command 'FOO'") },
        { ":0\r\n", Int(0) },
        { ":-42\r\n", Int(-42) },
        { ":9223372036854775807\r\n", Int(long.MaxValue) },
        { "$3\r\nfoo\r\n", Bulk("foo") },
        { "$0\r\n\r\n", Bulk("") },
        { "$4\r\na\r\nb\r\n", Bulk("a\r\nb") },
        { "$-1\r\n", RespValue.Null },
        { "*-1\r\n", RespValue.Null },
        { "_\r\n", RespValue.Null },
        { "*0\r\n", RespValue.CreateArray() },
        { "*2\r\n$1\r\na\r\n:1\r\n", RespValue.CreateArray(Bulk("a"), Int(1)) },
        { "*2\r\n*2\r\n+x\r\n$-1\r\n*0\r\n", RespValue.CreateArray(RespValue.CreateArray(RespValue.CreateSimpleString("x"), RespValue.Null), RespValue.CreateArray()) },
        { ",3.14\r\n", RespValue.CreateDouble(3.14) },
        { ",10\r\n", RespValue.CreateDouble(10) },
        { ",1e+20\r\n", RespValue.CreateDouble(1e20) },
        { ",inf\r\n", RespValue.CreateDouble(double.PositiveInfinity) },
        { ",-inf\r\n", RespValue.CreateDouble(double.NegativeInfinity) },
        { ",nan\r\n", RespValue.CreateDouble(double.NaN) },
        { "#t\r\n", RespValue.CreateBoolean(true) },
        { "#f\r\n", RespValue.CreateBoolean(false) },
        { "!21\r\nSYNTAX invalid syntax\r\n", RespValue.CreateError("SYNTAX invalid syntax") },
        { "=15\r\ntxt:Some string\r\n", RespValue.CreateVerbatim("Some string") },
        { "=4\r\nmkd:\r\n", RespValue.CreateVerbatim("", "mkd") },
        { "(3492890328409238509324850943850943825024385\r\n", RespValue.CreateBigNumber("3492890328409238509324850943850943825024385") },
        { "(-5\r\n", RespValue.CreateBigNumber("-5") },
        { "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", RespValue.CreateMap(RespValue.CreateSimpleString("first"), Int(1), RespValue.CreateSimpleString("second"), Int(2)) },
        { "%0\r\n", RespValue.CreateMap() },
        { "~3\r\n+a\r\n+b\r\n#t\r\n", RespValue.CreateSet(RespValue.CreateSimpleString("a"), RespValue.CreateSimpleString("b"), RespValue.CreateBoolean(true)) },
        { ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n", RespValue.CreatePush(Bulk("message"), Bulk("ch"), Bulk("hello")) },
        // Attributes precede the value they describe and are dropped, at the top and nested.
        { "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n", RespValue.CreateArray(Int(2039123), Int(9543892)) },
        { "*2\r\n|1\r\n+ttl\r\n:3600\r\n$1\r\nv\r\n:7\r\n", RespValue.CreateArray(Bulk("v"), Int(7)) },
        { "|0\r\n:1\r\n", Int(1) },
        { "*3\r\n%1\r\n$1\r\nk\r\n~1\r\n,1.5\r\n>1\r\n_\r\n!3\r\nERR\r\n", RespValue.CreateArray(RespValue.CreateMap(Bulk("k"), RespValue.CreateSet(RespValue.CreateDouble(1.5))), RespValue.CreatePush(RespValue.Null), RespValue.CreateError("ERR")) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reads_EveryType_FromOneSegment(string wire, RespValue expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(wire);
        ParseStatus status = RespValueReader.TryRead(new ReadOnlySequence<byte>(bytes), out RespValue? value, out long consumed, out string? error);
        Assert.True(status == ParseStatus.Complete, $"status {status}, error {error}");
        Assert.Equal(expected, value);
        Assert.Equal(bytes.Length, consumed);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reads_EveryType_FromOneSegmentPerByte(string wire, RespValue expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(wire);
        Assert.Equal(ParseStatus.Complete, RespValueReader.TryRead(SegmentedSequence.PerByte(bytes), out RespValue? value, out long consumed));
        Assert.Equal(expected, value);
        Assert.Equal(bytes.Length, consumed);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryPrefix_IsIncomplete(string wire, RespValue expected)
    {
        _ = expected;
        byte[] bytes = Encoding.UTF8.GetBytes(wire);
        for (int length = 0; length < bytes.Length; length++)
        {
            ParseStatus status = RespValueReader.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), out RespValue? value, out long consumed);
            Assert.True(status == ParseStatus.Incomplete, $"prefix of {length} bytes of {wire.ReplaceLineEndings("\\r\\n")} gave {status}");
            Assert.Null(value);
            Assert.Equal(0, consumed);

            // The same prefix split in two segments at every point.
            for (int split = 1; split < length; split++)
            {
                ReadOnlySequence<byte> twoPieces = SegmentedSequence.Split(bytes[..length], split);
                Assert.Equal(ParseStatus.Incomplete, RespValueReader.TryRead(twoPieces, out _, out _));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EverySplitPoint_ReadsTheSameValue(string wire, RespValue expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(wire);
        for (int split = 1; split < bytes.Length; split++)
        {
            Assert.Equal(ParseStatus.Complete, RespValueReader.TryRead(SegmentedSequence.Split(bytes, split), out RespValue? value, out long consumed));
            Assert.Equal(expected, value);
            Assert.Equal(bytes.Length, consumed);
        }
    }

    [Fact]
    public void ReadsOnlyTheFirstValue_OfAPipeline()
    {
        byte[] bytes = "+OK\r\n:1\r\n$3\r\nabc\r\n"u8.ToArray();
        var input = new ReadOnlySequence<byte>(bytes);
        var values = new List<RespValue>();
        while (RespValueReader.TryRead(input, out RespValue? value, out long consumed) == ParseStatus.Complete)
        {
            values.Add(value!);
            input = input.Slice(consumed);
        }

        Assert.Equal([RespValue.CreateSimpleString("OK"), Int(1), Bulk("abc")], values);
        Assert.Equal(0, input.Length);
    }

    [Fact]
    public void BinaryBulkString_KeepsEveryByte()
    {
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)i;
        }

        byte[] wire = [.. "$256\r\n"u8, .. payload, .. "\r\n"u8];
        Assert.Equal(ParseStatus.Complete, RespValueReader.TryRead(SegmentedSequence.Split(wire, 3, 100, 260), out RespValue? value, out _));
        Assert.Equal(payload, value!.Bytes);
    }

    [Theory]
    [InlineData("?\r\n", "unknown type")]
    [InlineData(":abc\r\n", "integer")]
    [InlineData(":\r\n", "integer")]
    [InlineData(":99999999999999999999\r\n", "integer")]
    [InlineData("$-2\r\n", "length")]
    [InlineData("$x\r\n", "length")]
    [InlineData("$+3\r\nabc\r\n", "length")]
    [InlineData("$3\r\nabcd\r\n", "CRLF")]
    [InlineData("$999999999999\r\n", "length")]
    [InlineData("*-2\r\n", "count")]
    [InlineData("~-1\r\n", "count -1")]
    [InlineData("!-1\r\n", "length -1")]
    [InlineData("*1\r\n?\r\n", "unknown type")]
    [InlineData("_x\r\n", "null")]
    [InlineData(",abc\r\n", "double")]
    [InlineData("#x\r\n", "boolean")]
    [InlineData("#tt\r\n", "boolean")]
    [InlineData("(12a\r\n", "big number")]
    [InlineData("=3\r\ntxt\r\n", "verbatim")]
    [InlineData("=5\r\ntxt-x\r\n", "verbatim")]
    [InlineData("|-1\r\n", "attribute")]
    [InlineData(":1234567890123456789012345678901234567890", "CRLF")]
    public void MalformedInput_IsAnError(string wire, string reason)
    {
        ParseStatus status = RespValueReader.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)), out RespValue? value, out long consumed, out string? error);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Null(value);
        Assert.Equal(0, consumed);
        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeAggregateCount_WaitsForBytes_WithoutAllocatingIt()
    {
        Assert.Equal(ParseStatus.Incomplete, RespValueReader.TryRead(new ReadOnlySequence<byte>("*2000000000\r\n:1\r\n"u8.ToArray()), out _, out _));
        Assert.Equal(ParseStatus.Error, RespValueReader.TryRead(new ReadOnlySequence<byte>("%2000000000\r\n"u8.ToArray()), out _, out _));
    }

    [Fact]
    public void DeepNesting_IsAnError_NotAStackOverflow()
    {
        var wire = new StringBuilder();
        for (int i = 0; i < 10_000; i++)
        {
            wire.Append("*1\r\n");
        }

        wire.Append(":1\r\n");
        Assert.Equal(ParseStatus.Error, RespValueReader.TryRead(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(wire.ToString())), out _, out _, out string? error));
        Assert.Contains("nested", error, StringComparison.Ordinal);
    }

    [Fact]
    public void WriterOutput_ReadsBack()
    {
        var buffer = new ArrayBufferWriter<byte>();
        RespWriter.WriteArrayHeader(buffer, 5);
        RespWriter.WriteBulkString(buffer, "héllo");
        RespWriter.WriteDouble(buffer, 0.1, RespProtocol.Resp3);
        RespWriter.WriteMapHeader(buffer, 1, RespProtocol.Resp3);
        RespWriter.WriteSimpleString(buffer, "k");
        RespWriter.WriteBoolean(buffer, false, RespProtocol.Resp3);
        RespWriter.WriteVerbatim(buffer, "text", RespProtocol.Resp3);
        RespWriter.WriteNull(buffer, RespProtocol.Resp3);

        Assert.Equal(ParseStatus.Complete, RespValueReader.TryRead(new ReadOnlySequence<byte>(buffer.WrittenMemory), out RespValue? value, out long consumed));
        Assert.Equal(buffer.WrittenCount, consumed);
        Assert.Equal(
            RespValue.CreateArray(
                Bulk("héllo"),
                RespValue.CreateDouble(0.1),
                RespValue.CreateMap(RespValue.CreateSimpleString("k"), RespValue.CreateBoolean(false)),
                RespValue.CreateVerbatim("text"),
                RespValue.Null),
            value);
    }
}
