using Tessera.Resp.Values;

namespace Tessera.Resp.Tests.Values;

public class RespValueTests
{
    [Fact]
    public void AsString_GivesTextOfScalars()
    {
        Assert.Equal("OK", RespValue.CreateSimpleString("OK").AsString());
        Assert.Equal("ERR x", RespValue.CreateError("ERR x").AsString());
        Assert.Equal("héllo", RespValue.CreateBulkString("héllo").AsString());
        Assert.Equal("-5", RespValue.CreateInteger(-5).AsString());
        Assert.Equal("1.5", RespValue.CreateDouble(1.5).AsString());
        Assert.Equal("inf", RespValue.CreateDouble(double.PositiveInfinity).AsString());
        Assert.Equal("true", RespValue.CreateBoolean(true).AsString());
        Assert.Equal("false", RespValue.CreateBoolean(false).AsString());
        Assert.Equal("123456789012345678901234567890", RespValue.CreateBigNumber("123456789012345678901234567890").AsString());
        Assert.Equal("# Server", RespValue.CreateVerbatim("# Server").AsString());
        Assert.Null(RespValue.Null.AsString());
        Assert.Throws<InvalidOperationException>(() => RespValue.CreateArray().AsString());
    }

    [Fact]
    public void AsInt64_AndAsDouble_ConvertNumbers()
    {
        Assert.Equal(7, RespValue.CreateInteger(7).AsInt64());
        Assert.Equal(12, RespValue.CreateBulkString("12").AsInt64());
        Assert.Equal(-3, RespValue.CreateSimpleString("-3").AsInt64());
        Assert.Equal(1, RespValue.CreateBoolean(true).AsInt64());
        Assert.Equal(4, RespValue.CreateDouble(4).AsInt64());
        Assert.Throws<InvalidOperationException>(() => RespValue.CreateDouble(4.5).AsInt64());
        Assert.Throws<InvalidOperationException>(() => RespValue.CreateBulkString("x").AsInt64());
        Assert.Throws<InvalidOperationException>(() => RespValue.Null.AsInt64());

        Assert.Equal(2.5, RespValue.CreateBulkString("2.5").AsDouble());
        Assert.Equal(double.NegativeInfinity, RespValue.CreateBulkString("-inf").AsDouble());
        Assert.Equal(3, RespValue.CreateInteger(3).AsDouble());
        Assert.Equal(0.25, RespValue.CreateDouble(0.25).AsDouble());
        Assert.Throws<InvalidOperationException>(() => RespValue.CreateError("ERR").AsDouble());
    }

    [Fact]
    public void Flags_DescribeTheKind()
    {
        Assert.True(RespValue.CreateSimpleString("OK").IsOk);
        Assert.False(RespValue.CreateBulkString("OK").IsOk);
        Assert.True(RespValue.CreateError("ERR").IsError);
        Assert.True(RespValue.Null.IsNull);
        Assert.True(RespValue.CreateSet().IsAggregate);
        Assert.False(RespValue.CreateInteger(1).IsAggregate);
        Assert.Throws<ArgumentException>(() => RespValue.CreateMap(RespValue.Null));
    }

    [Fact]
    public void ToString_LooksLikeRedisCli_ForScalars()
    {
        Assert.Equal("OK", RespValue.CreateSimpleString("OK").ToString());
        Assert.Equal("(error) ERR x", RespValue.CreateError("ERR x").ToString());
        Assert.Equal("(integer) 5", RespValue.CreateInteger(5).ToString());
        Assert.Equal("\"foo\"", RespValue.CreateBulkString("foo").ToString());
        Assert.Equal("\"a\\r\\n\\\"q\\\"\\\\\\t\\x00\\xc3\\xa9\"", RespValue.CreateBulkString([.. "a\r\n\"q\"\\\t"u8, 0, 0xc3, 0xa9]).ToString());
        Assert.Equal("(nil)", RespValue.Null.ToString());
        Assert.Equal("(double) 1.5", RespValue.CreateDouble(1.5).ToString());
        Assert.Equal("(true)", RespValue.CreateBoolean(true).ToString());
        Assert.Equal("(big number) 12", RespValue.CreateBigNumber("12").ToString());
        Assert.Equal("(empty array)", RespValue.CreateArray().ToString());
        Assert.Equal("(empty hash)", RespValue.CreateMap().ToString());
        Assert.Equal("(empty set)", RespValue.CreateSet().ToString());
    }

    [Fact]
    public void ToString_NumbersNestedAggregates_LikeRedisCli()
    {
        RespValue value = RespValue.CreateArray(
            RespValue.CreateBulkString("a"),
            RespValue.CreateArray(RespValue.CreateBulkString("b"), RespValue.CreateInteger(2)),
            RespValue.Null);
        Assert.Equal("1) \"a\"\n2) 1) \"b\"\n   2) (integer) 2\n3) (nil)", value.ToString());

        RespValue[] many = Enumerable.Range(1, 10).Select(i => RespValue.CreateInteger(i)).ToArray();
        string text = RespValue.CreateArray(RespValue.CreateArray(many)).ToString();
        Assert.StartsWith("1)  1) (integer) 1\n    2) (integer) 2\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n   10) (integer) 10", text, StringComparison.Ordinal);

        RespValue map = RespValue.CreateMap(RespValue.CreateBulkString("k"), RespValue.CreateArray(RespValue.CreateInteger(1), RespValue.CreateInteger(2)));
        // redis-cli indents a map value's later lines as if it started after "N# ", not after "=>".
        Assert.Equal("1# \"k\" => 1) (integer) 1\n   2) (integer) 2", map.ToString());
    }

    [Fact]
    public void Equality_IsByContent()
    {
        Assert.Equal(RespValue.CreateArray(RespValue.CreateBulkString("x"), RespValue.Null), RespValue.CreateArray(RespValue.CreateBulkString("x"), RespValue.Null));
        Assert.NotEqual(RespValue.CreateBulkString("x"), RespValue.CreateSimpleString("x"));
        Assert.NotEqual(RespValue.CreateArray(RespValue.CreateInteger(1)), RespValue.CreateArray(RespValue.CreateInteger(2)));
        Assert.NotEqual(RespValue.CreateVerbatim("x", "txt"), RespValue.CreateVerbatim("x", "mkd"));
        Assert.Equal(RespValue.CreateDouble(double.NaN), RespValue.CreateDouble(double.NaN));
        Assert.Equal(RespValue.CreateBulkString("x").GetHashCode(), RespValue.CreateBulkString("x").GetHashCode());
    }
}
