using System.Buffers;
using System.Diagnostics;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Tests.Protocol;

public class ReplyScannerTests
{
    public static TheoryData<string> Replies => new()
    {
        "+OK\r\n",
        "+\r\n",
        "-ERR unknown command 'FOO'\r\n",
        ":0\r\n",
        ":-9223372036854775808\r\n",
        "$5\r\nhello\r\n",
        "$0\r\n\r\n",
        "$12\r\nhello\r\nworld\r\n",
        "$-1\r\n",
        "*-1\r\n",
        "*0\r\n",
        "*2\r\n$1\r\na\r\n:1\r\n",
        "*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n+x\r\n",
        "*3\r\n*0\r\n*-1\r\n$-1\r\n",
        "_\r\n",
        ",3.14\r\n",
        ",-inf\r\n",
        "#t\r\n",
        "#f\r\n",
        "!21\r\nSYNTAX invalid syntax\r\n",
        "=15\r\ntxt:Some string\r\n",
        "(3492890328409238509324850943850943825024385\r\n",
        "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        "%0\r\n",
        "%1\r\n*2\r\n:1\r\n:2\r\n%1\r\n+a\r\n~1\r\n#t\r\n",
        "~2\r\n+a\r\n+b\r\n",
        "~0\r\n",
        ">3\r\n+message\r\n+channel\r\n$2\r\nhi\r\n",
        "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
        "|0\r\n:1\r\n",
        "*2\r\n|1\r\n+ttl\r\n:3600\r\n$5\r\nhello\r\n:2\r\n",
        "|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n_\r\n",
        "+" + new string('x', 100) + "\r\n",
        "-" + new string('e', 70) + "\r\n",
    };

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Theory]
    [MemberData(nameof(Replies))]
    public void Finds_the_end_of_every_reply_type(string reply)
    {
        var state = default(ReplyScanState);
        var input = new ReadOnlySequence<byte>(Bytes(reply + "+NEXT\r\n"));

        Assert.Equal(ParseStatus.Complete, ReplyScanner.TryScan(input, ref state, out long length));

        Assert.Equal(reply.Length, length);
        Assert.Equal(0, state.Scanned);
        Assert.Equal(0, state.Remaining);
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Every_split_point_gives_the_same_length(string reply)
    {
        var stream = Bytes(reply + "*1\r\n+NEXT\r\n");
        string[] expected = [reply, "*1\r\n+NEXT\r\n"];
        foreach (var layout in Enum.GetValues<Layout>())
        {
            foreach (int step in new[] { 1, 2, 5, 13 })
            {
                Assert.Equal(expected, ParseDriver.Replies(stream, step, layout, seed: step));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Every_proper_prefix_is_incomplete(string reply)
    {
        var stream = Bytes(reply);
        for (int length = 0; length < stream.Length; length++)
        {
            var state = default(ReplyScanState);
            Assert.Equal(ParseStatus.Incomplete, ReplyScanner.TryScan(new ReadOnlySequence<byte>(stream, 0, length), ref state, out _));
            var fresh = default(ReplyScanState);
            Assert.Equal(ParseStatus.Incomplete, ReplyScanner.TryScan(SegmentedSequence.Chunked(stream.AsSpan(0, length), 1), ref fresh, out _));
        }
    }

    [Fact]
    public void Any_two_part_split_of_a_pipeline_gives_the_same_replies()
    {
        var replies = new List<string>(Replies);
        var stream = Bytes(string.Concat(replies));
        for (int cut = 1; cut < stream.Length; cut++)
        {
            var sequence = SegmentedSequence.Split(stream, [cut]);
            var state = default(ReplyScanState);
            long start = 0;
            foreach (var reply in replies)
            {
                Assert.Equal(ParseStatus.Complete, ReplyScanner.TryScan(sequence.Slice(start), ref state, out long length));
                Assert.Equal(reply.Length, length);
                start += length;
            }
        }
    }

    [Theory]
    [InlineData("?x\r\n")]
    [InlineData("$?\r\n")]
    [InlineData("*?\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("%-1\r\n")]
    [InlineData("=-1\r\n")]
    [InlineData("$01\r\nx\r\n")]
    [InlineData("$x\r\n")]
    [InlineData("*1\r\n@\r\n")]
    [InlineData(":abc\r\n")]
    [InlineData(":\r\n")]
    [InlineData(":123456789012345678901\r\n")]
    [InlineData(":1234567890123456789012345678901234567890")]
    [InlineData("_x\r\n")]
    [InlineData("#x\r\n")]
    [InlineData("#tt\r\n")]
    [InlineData(",\r\n")]
    [InlineData("(1a\r\n")]
    [InlineData("+OK\n")]
    [InlineData("\n")]
    [InlineData("$3\r\nabcXY")]
    [InlineData("*2\r\n:1\r\n~-1\r\n")]
    [InlineData("*1234567890123456789\r\n")]
    [InlineData("*1\r\n$3\r\nabc\n\r")]
    public void Malformed_replies_are_errors_at_every_split(string reply)
    {
        var stream = Bytes(reply);
        var state = default(ReplyScanState);
        Assert.Equal(ParseStatus.Error, ReplyScanner.TryScan(new ReadOnlySequence<byte>(stream), ref state, out _));
        Assert.Equal(0, state.Remaining);
        foreach (var layout in Enum.GetValues<Layout>())
        {
            Assert.Equal(["error"], ParseDriver.Replies(stream, 1, layout));
        }
    }

    [Fact]
    public void Long_simple_string_crossing_many_segments_is_found()
    {
        var reply = "+" + new string('s', 5000) + "\r\n";
        var stream = Bytes(reply + ":1\r\n");
        foreach (int size in new[] { 1, 7, 31, 32, 33, 100, 4096 })
        {
            Assert.Equal([reply, ":1\r\n"], ParseDriver.Replies(stream, size, Layout.RandomSegments, seed: size));
            var state = default(ReplyScanState);
            Assert.Equal(ParseStatus.Complete, ReplyScanner.TryScan(SegmentedSequence.Chunked(stream, size), ref state, out long length));
            Assert.Equal(reply.Length, length);
        }

        Assert.Equal([reply, ":1\r\n"], ParseDriver.Replies(stream, 3, Layout.GrowingChain));
    }

    [Fact]
    public void Million_element_array_in_small_reads_is_scanned_in_linear_time()
    {
        const int count = 1_000_000;
        var text = new StringBuilder().Append('*').Append(count).Append("\r\n");
        for (int i = 0; i < count; i++)
        {
            text.Append(i % 2 == 0 ? "$3\r\nabc\r\n" : ":12345\r\n");
        }

        var stream = Bytes(text.ToString());
        var clock = Stopwatch.StartNew();

        var state = default(ReplyScanState);
        ParseStatus status = ParseStatus.Incomplete;
        long length = 0;
        for (int available = 1024; status == ParseStatus.Incomplete; available = Math.Min(available + 1024, stream.Length))
        {
            status = ReplyScanner.TryScan(new ReadOnlySequence<byte>(stream, 0, available), ref state, out length);
        }

        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(stream.Length, length);

        var chain = new SegmentedSequence.Chain(stream.AsMemory(0, 1024));
        status = ParseStatus.Incomplete;
        for (int offset = 1024; status == ParseStatus.Incomplete; offset += 1024)
        {
            status = ReplyScanner.TryScan(chain.Sequence, ref state, out length);
            if (offset < stream.Length)
            {
                chain.Append(stream.AsMemory(offset, Math.Min(1024, stream.Length - offset)));
            }
        }

        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(stream.Length, length);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Half_gigabyte_bulk_reply_in_4KB_segments_is_followed_without_rescanning()
    {
        const int size = 500_000_000;
        var block = new byte[4096];
        var chain = new SegmentedSequence.Chain(Bytes("$" + size + "\r\n"));
        var state = default(ReplyScanState);
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (sent < size)
        {
            Assert.Equal(ParseStatus.Incomplete, ReplyScanner.TryScan(chain.Sequence, ref state, out _));
            int chunk = (int)Math.Min(block.Length, size - sent);
            chain.Append(block.AsMemory(0, chunk));
            sent += chunk;
        }

        chain.Append(Bytes("\r"));
        Assert.Equal(ParseStatus.Incomplete, ReplyScanner.TryScan(chain.Sequence, ref state, out _));
        chain.Append(Bytes("\n+OK\r\n"));
        Assert.Equal(ParseStatus.Complete, ReplyScanner.TryScan(chain.Sequence, ref state, out long length));
        Assert.Equal(12 + size + 2, length); // "$500000000\r\n", payload, CRLF
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void State_starts_over_after_a_complete_reply()
    {
        var state = default(ReplyScanState);
        Assert.Equal(ParseStatus.Incomplete, ReplyScanner.TryScan(new ReadOnlySequence<byte>(Bytes("*2\r\n:1\r\n")), ref state, out _));
        Assert.Equal(1, state.Remaining);
        Assert.Equal(ParseStatus.Complete, ReplyScanner.TryScan(new ReadOnlySequence<byte>(Bytes("*2\r\n:1\r\n:2\r\n")), ref state, out long length));
        Assert.Equal(12, length);
        Assert.Equal(ParseStatus.Complete, ReplyScanner.TryScan(new ReadOnlySequence<byte>(Bytes("+OK\r\n")), ref state, out length));
        Assert.Equal(5, length);
    }

    [Fact]
    public void Steady_state_scanning_allocates_nothing()
    {
        var stream = Bytes(string.Concat(new List<string>(Replies)));
        var inputs = new[]
        {
            new ReadOnlySequence<byte>(stream),
            SegmentedSequence.Chunked(stream, 1),
            SegmentedSequence.Chunked(stream, 7),
        };
        var state = default(ReplyScanState);
        ScanAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            ScanAll();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void ScanAll()
        {
            foreach (var input in inputs)
            {
                var rest = input;
                while (!rest.IsEmpty)
                {
                    ReplyScanner.TryScan(rest.Slice(0, Math.Min(rest.Length, 9)), ref state, out long length);
                    if (ReplyScanner.TryScan(rest, ref state, out length) != ParseStatus.Complete)
                    {
                        throw new InvalidOperationException("reply not found");
                    }

                    rest = rest.Slice(length);
                }
            }
        }
    }
}
