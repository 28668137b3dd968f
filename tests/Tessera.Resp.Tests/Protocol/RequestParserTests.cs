using System.Buffers;
using System.Diagnostics;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Tests.Protocol;

public class RequestParserTests
{
    // Several requests back to back: arrays, an empty array, inline commands with quoting, an empty line,
    // a null array, and a payload that itself contains CRLF.
    internal const string Pipeline =
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n" +
        "*1\r\n$4\r\nPING\r\n" +
        "*0\r\n" +
        "PING\r\n" +
        "\r\n" +
        "set \"a b\" 'c\\'d' \"\\x41\\n\"\n" +
        "*2\r\n$3\r\nGET\r\n$0\r\n\r\n" +
        "*-1\r\n" +
        "*2\r\n$4\r\nECHO\r\n$12\r\nhello\r\nworld\r\n";

    private static readonly string[] PipelineExpected =
    [
        "multibulk 33 [SET|key|value] *3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
        "multibulk 14 [PING] *1\r\n$4\r\nPING\r\n",
        "multibulk 4 [] *0\r\n",
        "inline 6 [PING] *1\r\n$4\r\nPING\r\n",
        "inline 2 [] ",
        "inline 26 [set|a b|c'd|A\n] *4\r\n$3\r\nset\r\n$3\r\na b\r\n$3\r\nc'd\r\n$2\r\nA\n\r\n",
        "multibulk 19 [GET|] *2\r\n$3\r\nGET\r\n$0\r\n\r\n",
        "multibulk 5 [] *-1\r\n",
        "multibulk 33 [ECHO|hello\r\nworld] *2\r\n$4\r\nECHO\r\n$12\r\nhello\r\nworld\r\n",
    ];

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public void Parses_a_set_command_in_place()
    {
        var input = new ReadOnlySequence<byte>(Bytes("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\ntrailing"));
        var frame = new RequestFrame();

        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(input, frame, RespLimits.Default));

        Assert.Equal(3, frame.Count);
        Assert.Equal(33, frame.ConsumedLength);
        Assert.False(frame.IsInline);
        Assert.Null(frame.Error);
        Assert.True(frame.ArgEquals(0, "SET"u8));
        Assert.Equal("key"u8.ToArray(), frame.ArgSpan(1).ToArray());
        Assert.Equal(26, frame.ArgOffset(2));
        Assert.Equal(5, frame.ArgLength(2));
        Assert.Equal(33, frame.Data.Length);
    }

    [Fact]
    public void Pipelined_requests_parse_one_after_another()
    {
        Assert.Equal(PipelineExpected, ParseDriver.Requests(Bytes(Pipeline)));
    }

    [Theory]
    [InlineData(Layout.Contiguous)]
    [InlineData(Layout.OneByteSegments)]
    [InlineData(Layout.RandomSegments)]
    [InlineData(Layout.GrowingChain)]
    public void Every_split_point_gives_the_same_requests(Layout layout)
    {
        var stream = Bytes(Pipeline);
        foreach (int step in new[] { 1, 2, 3, 5, 7, 16, 64 })
        {
            Assert.Equal(PipelineExpected, ParseDriver.Requests(stream, step, layout, seed: step));
        }
    }

    [Fact]
    public void Any_two_part_split_gives_the_same_requests()
    {
        var stream = Bytes(Pipeline);
        for (int cut = 0; cut <= stream.Length; cut++)
        {
            var frame = new RequestFrame();
            var results = new List<string>();
            long start = 0;
            var sequence = SegmentedSequence.Split(stream, cut == 0 || cut == stream.Length ? [] : [cut]);
            while (start < stream.Length)
            {
                var status = RequestParser.TryParse(sequence.Slice(start), frame, RespLimits.Default);
                Assert.Equal(ParseStatus.Complete, status);
                results.Add(ParseDriver.Describe(frame));
                start += frame.ConsumedLength;
            }

            Assert.Equal(PipelineExpected, results);
        }
    }

    [Fact]
    public void An_incomplete_request_keeps_its_progress()
    {
        var stream = Bytes("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nval");
        var frame = new RequestFrame();

        Assert.Equal(ParseStatus.Incomplete, RequestParser.TryParse(new ReadOnlySequence<byte>(stream), frame, RespLimits.Default));

        Assert.True(frame.InProgress);
        Assert.Equal(2, frame.ArgIndex);
        Assert.Equal(26, frame.Scanned); // start of the pending payload
        Assert.Equal(5, frame.PendingBulk);
    }

    [Fact]
    public void Empty_input_is_incomplete()
    {
        var frame = new RequestFrame();
        Assert.Equal(ParseStatus.Incomplete, RequestParser.TryParse(ReadOnlySequence<byte>.Empty, frame, RespLimits.Default));
    }

    [Theory]
    [InlineData("SET a b\r\n", "SET|a|b")]
    [InlineData("SET a b\n", "SET|a|b")]
    [InlineData("  SET \t a\tb   \r\n", "SET|a|b")]
    [InlineData("set \"hello world\" x\n", "set|hello world|x")]
    [InlineData("set k \"a\\x41\\x7a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n", "set|k|aAz\n\r\t\b\a\\\"q")]
    [InlineData("set k \"\\xZZ\"\n", "set|k|xZZ")]
    [InlineData("set k \"\\x4\"\n", "set|k|x4")]
    [InlineData("set 'it\\'s' 'a\\nb'\n", "set|it's|a\\nb")]
    [InlineData("set \"\" ''\n", "set||")]
    [InlineData("set foo\"bar baz\" x\n", "set|foobar baz|x")]
    [InlineData("set 'a b'\t\"c\"\n", "set|a b|c")]
    [InlineData("get a\0b c\n", "get|a")]
    [InlineData("a\rb\r\n", "a|b")]
    [InlineData("\r\n", "")]
    [InlineData("\n", "")]
    [InlineData("   \t \r\n", "")]
    public void Inline_commands_split_like_redis(string line, string expected)
    {
        var frame = new RequestFrame();
        var input = new ReadOnlySequence<byte>(Bytes(line + "*1\r\n$4\r\nPING\r\n"));

        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(input, frame, RespLimits.Default));

        Assert.True(frame.IsInline);
        Assert.Equal(line.Length, frame.ConsumedLength);
        var words = new List<string>();
        for (int i = 0; i < frame.Count; i++)
        {
            words.Add(Encoding.Latin1.GetString(frame.ArgSpan(i)));
        }

        Assert.Equal(expected, string.Join("|", words));
        if (frame.Count > 0)
        {
            var encoded = new StringBuilder().Append('*').Append(frame.Count).Append("\r\n");
            foreach (var word in words)
            {
                encoded.Append('$').Append(word.Length).Append("\r\n").Append(word).Append("\r\n");
            }

            Assert.Equal(encoded.ToString(), Encoding.Latin1.GetString(frame.Data.ToArray()));
        }
    }

    [Fact]
    public void Inline_buffer_grows_for_long_lines()
    {
        var words = Enumerable.Range(0, 2000).Select(i => "w" + i).ToArray();
        var frame = new RequestFrame();
        var input = new ReadOnlySequence<byte>(Bytes("MSET " + string.Join(' ', words) + "\r\n"));

        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(input, frame, RespLimits.Default));

        Assert.Equal(2001, frame.Count);
        Assert.True(frame.ArgEquals(2000, "W1999"u8));
    }

    public static TheoryData<string, string> MalformedCases => new()
    {
        { "*abc\r\n", "Protocol error: invalid multibulk length" },
        { "*1x\r\n", "Protocol error: invalid multibulk length" },
        { "*01\r\n", "Protocol error: invalid multibulk length" },
        { "*\r\n", "Protocol error: invalid multibulk length" },
        { "*-0\r\n", "Protocol error: invalid multibulk length" },
        { "*1\rx", "Protocol error: invalid multibulk length" },
        { "*1234567890123456789\r\n", "Protocol error: invalid multibulk length" },
        { "*1\r\n$x\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$-1\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$3\rX", "Protocol error: invalid bulk length" },
        { "*1\r\n$03\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n$99999999999999999999\r\n", "Protocol error: invalid bulk length" },
        { "*1\r\n+OK\r\n", "Protocol error: expected '$', got '+'" },
        { "*2\r\n$3\r\nfoo\r\n:1\r\n", "Protocol error: expected '$', got ':'" },
        { "*1\r\n\u0001", "Protocol error: expected '$', got '\\x01'" },
        { "*1\r\n$3\r\nfooXY", "Protocol error: the 3-byte bulk payload of argument 1 is not followed by CRLF" },
        { "*2\r\n$1\r\na\r\n$2\r\nbc\n\r", "Protocol error: the 2-byte bulk payload of argument 2 is not followed by CRLF" },
        { "*1\r\n$600000000\r\n", "Protocol error: invalid bulk length" },
        { "*99999999999\r\n", "Protocol error: invalid multibulk length" },
        { "*2\r\n\r\nGET\r\n", "Protocol error: expected '$', got ' '" },
        { "*2000000\r\n", "Protocol error: multibulk length 2000000 exceeds the limit of 1048576 arguments (proxy max-array-length)" },
        { "set \"a\n", "Protocol error: unbalanced quotes in request" },
        { "set 'a\n", "Protocol error: unbalanced quotes in request" },
        { "set \"a\"b\n", "Protocol error: unbalanced quotes in request" },
        { "set 'a'b\n", "Protocol error: unbalanced quotes in request" },
        { "set \"a\\\"\n", "Protocol error: unbalanced quotes in request" },
    };

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Malformed_input_gives_redis_error_text(string input, string error)
    {
        var stream = Bytes(input);
        Assert.Equal(["error: " + error], ParseDriver.Requests(stream));
        foreach (var layout in Enum.GetValues<Layout>())
        {
            Assert.Equal(["error: " + error], ParseDriver.Requests(stream, 1, layout));
        }
    }

    [Fact]
    public void Error_is_reported_after_earlier_good_requests()
    {
        var stream = Bytes("*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n");
        Assert.Equal(
            ["multibulk 14 [PING] *1\r\n$4\r\nPING\r\n", "error: Protocol error: invalid bulk length"],
            ParseDriver.Requests(stream, 1, Layout.OneByteSegments));
    }

    [Fact]
    public void Huge_declared_bulk_is_refused_before_any_payload()
    {
        var frame = new RequestFrame();
        var input = new ReadOnlySequence<byte>(Bytes("*2\r\n$3\r\nSET\r\n$9999999999\r\n"));

        Assert.Equal(ParseStatus.Error, RequestParser.TryParse(input, frame, RespLimits.Default));
        // Past redis-server's own 512 MB limit: its words (a lower proxy limit names itself, below).
        Assert.Equal("Protocol error: invalid bulk length", frame.Error);
    }

    [Fact]
    public void Bulk_limit_is_configurable()
    {
        var limits = new RespLimits { MaxBulkLength = 10 };
        Assert.Equal(["multibulk 21 [0123456789] *1\r\n$10\r\n0123456789\r\n"], ParseDriver.Requests(Bytes("*1\r\n$10\r\n0123456789\r\n"), limits));
        Assert.Equal(
            ["error: Protocol error: bulk length 11 exceeds the limit of 10 bytes (proxy max-bulk-length)"],
            ParseDriver.Requests(Bytes("*1\r\n$11\r\n"), limits));
    }

    [Fact]
    public void Array_limit_is_configurable()
    {
        var limits = new RespLimits { MaxArrayLength = 2 };
        Assert.Equal(
            ["error: Protocol error: multibulk length 3 exceeds the limit of 2 arguments (proxy max-array-length)"],
            ParseDriver.Requests(Bytes("*3\r\n"), limits));
        Assert.Equal(
            ["error: Protocol error: too many arguments in inline request (proxy max-array-length)"],
            ParseDriver.Requests(Bytes("a b c\r\n"), limits));
    }

    [Fact]
    public void Declared_request_size_is_checked_before_payloads_arrive()
    {
        var limits = new RespLimits { MaxRequestBytes = 100 };

        // 4 bytes of header and 6 per argument at least: 5 + 20 * 6 = 125.
        Assert.Equal(
            ["error: Protocol error: request of at least 125 bytes exceeds the limit of 100 bytes (proxy max-request-bytes)"],
            ParseDriver.Requests(Bytes("*20\r\n"), limits));

        // The second header makes it 4 + 2 * (5 + 60 + 2) = 138 before either payload is complete.
        Assert.Equal(
            ["error: Protocol error: request of at least 138 bytes exceeds the limit of 100 bytes (proxy max-request-bytes)"],
            ParseDriver.Requests(Bytes("*2\r\n$60\r\n" + new string('x', 60) + "\r\n$60\r\n"), limits));

        var fits = "*2\r\n$41\r\n" + new string('x', 41) + "\r\n$41\r\n" + new string('y', 41) + "\r\n";
        Assert.Equal(100, fits.Length);
        Assert.Single(ParseDriver.Requests(Bytes(fits), limits), r => r.StartsWith("multibulk 100 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Long_inline_line_is_refused()
    {
        var limits = new RespLimits { MaxInlineLength = 10 };
        Assert.Equal(["error: Protocol error: too big inline request"], ParseDriver.Requests(Bytes("aaaaaaaaaaa"), limits));
        Assert.Equal(["error: Protocol error: too big inline request"], ParseDriver.Requests(Bytes("aaaaaaaaaaa\r\n"), limits));
        Assert.Equal(["error: Protocol error: too big inline request"], ParseDriver.Requests(Bytes("aaaaaaaaaaa\r\n"), 1, Layout.OneByteSegments, limits));
        Assert.Equal(["inline 11 [aaaaaaaaaa] *1\r\n$10\r\naaaaaaaaaa\r\n"], ParseDriver.Requests(Bytes("aaaaaaaaaa\n"), limits));
        Assert.Equal(["incomplete"], ParseDriver.Requests(Bytes("aaaaaaaaaa"), limits));
    }

    [Fact]
    public void A_frame_is_reused_after_an_error()
    {
        var frame = new RequestFrame();
        Assert.Equal(ParseStatus.Error, RequestParser.TryParse(new ReadOnlySequence<byte>(Bytes("*x\r\n")), frame, RespLimits.Default));
        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(new ReadOnlySequence<byte>(Bytes("*1\r\n$4\r\nPING\r\n")), frame, RespLimits.Default));
        Assert.Null(frame.Error);
        Assert.Equal(1, frame.Count);
    }
}
