using System.Buffers;
using System.Diagnostics;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Tests.Protocol;

/// <summary>
/// The request parser at scale: millions of arguments and half-gigabyte values in small reads, arguments across
/// segments, buffers given back, and no allocation in steady state (the ordinary cases are in RequestParserTests).
/// </summary>
public class RequestParserScaleTests
{
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    [Fact]
    public void Million_argument_mset_in_small_reads_is_parsed_in_linear_time()
    {
        const int pairs = 500_000;
        var text = new StringBuilder().Append("*1000001\r\n$4\r\nMSET\r\n");
        for (int i = 0; i < pairs; i++)
        {
            string key = "k" + i;
            text.Append('$').Append(key.Length).Append("\r\n").Append(key).Append("\r\n$1\r\nv\r\n");
        }

        var stream = Bytes(text.ToString());
        var clock = Stopwatch.StartNew();

        // Contiguous growing buffer (single-segment path).
        var frame = new RequestFrame();
        ParseStatus status = ParseStatus.Incomplete;
        int calls = 0;
        for (int available = 1024; status == ParseStatus.Incomplete; available = Math.Min(available + 1024, stream.Length))
        {
            status = RequestParser.TryParse(new ReadOnlySequence<byte>(stream, 0, available), frame, RespLimits.Default);
            calls++;
        }

        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(1_000_001, frame.Count);
        Assert.True(frame.ArgEquals(999_999, "K499999"u8));
        Assert.True(calls > 1000);

        // A pipe-like chain of 1 KB segments.
        var chain = new SegmentedSequence.Chain(stream.AsMemory(0, 1024));
        status = ParseStatus.Incomplete;
        for (int offset = 1024; status == ParseStatus.Incomplete; offset += 1024)
        {
            status = RequestParser.TryParse(chain.Sequence, frame, RespLimits.Default);
            if (offset < stream.Length)
            {
                chain.Append(stream.AsMemory(offset, Math.Min(1024, stream.Length - offset)));
            }
        }

        Assert.Equal(ParseStatus.Complete, status);
        Assert.Equal(stream.Length, frame.ConsumedLength);
        Assert.True(frame.ArgEquals(1_000_000, "V"u8));

        // Rescanning from the start on each of the ~14,000 calls would walk ~100 GB; linear parsing takes well under a second.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Half_gigabyte_value_in_4KB_segments_is_followed_without_rescanning()
    {
        const int size = 500_000_000;
        var block = new byte[4096];
        Array.Fill(block, (byte)'x');
        var chain = new SegmentedSequence.Chain(Bytes("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + size + "\r\n"));
        var frame = new RequestFrame();
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (sent < size)
        {
            Assert.Equal(ParseStatus.Incomplete, RequestParser.TryParse(chain.Sequence, frame, RespLimits.Default));
            int chunk = (int)Math.Min(block.Length, size - sent);
            chain.Append(block.AsMemory(0, chunk));
            sent += chunk;
        }

        Assert.Equal(ParseStatus.Incomplete, RequestParser.TryParse(chain.Sequence, frame, RespLimits.Default));
        chain.Append(Bytes("\r\n*1\r\n$4\r\nPING\r\n"));

        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(chain.Sequence, frame, RespLimits.Default));
        Assert.Equal(3, frame.Count);
        Assert.Equal(size, frame.ArgLength(2));
        Assert.Equal(frame.ConsumedLength, frame.Data.Length);
        Assert.Equal((byte)'x', frame.Arg(2).Slice(size - 1).FirstSpan[0]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");

        var rest = chain.Sequence.Slice(frame.ConsumedLength);
        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(rest, frame, RespLimits.Default));
        Assert.True(frame.ArgEquals(0, "PING"u8));
    }

    [Fact]
    public void Argument_crossing_segments_is_copied_into_one_span()
    {
        var stream = Bytes("*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n");
        var frame = new RequestFrame();

        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(SegmentedSequence.Chunked(stream, 3), frame, RespLimits.Default));

        Assert.Equal("hello world"u8.ToArray(), frame.ArgSpan(1).ToArray());
        Assert.True(frame.ArgEquals(0, "ECHO"u8));
        Assert.True(frame.TryGetInt64(1, out _) is false);
    }

    [Fact]
    public void Large_argument_arrays_are_given_back_after_an_ordinary_request()
    {
        var frame = new RequestFrame();
        var big = new StringBuilder().Append("*100000\r\n");
        for (int i = 0; i < 100_000; i++)
        {
            big.Append("$1\r\na\r\n");
        }

        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(new ReadOnlySequence<byte>(Bytes(big.ToString())), frame, RespLimits.Default));
        Assert.Equal(100_000, frame.Count);
        Assert.Equal(ParseStatus.Complete, RequestParser.TryParse(new ReadOnlySequence<byte>(Bytes("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")), frame, RespLimits.Default));
        Assert.True(frame.ArgEquals(1, "K"u8));
    }

    [Fact]
    public void Steady_state_parsing_allocates_nothing()
    {
        var stream = Bytes(RequestParserTests.Pipeline);
        var inputs = new[]
        {
            new ReadOnlySequence<byte>(stream),
            SegmentedSequence.Chunked(stream, 1),
            SegmentedSequence.Chunked(stream, 7),
        };
        var frame = new RequestFrame();
        ParseAll(); // warm up: JIT, and the frame's buffers grow to size
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            ParseAll();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void ParseAll()
        {
            foreach (var input in inputs)
            {
                var rest = input;
                while (!rest.IsEmpty)
                {
                    // Feed a prefix first so that resuming is part of the steady state too.
                    RequestParser.TryParse(rest.Slice(0, Math.Min(rest.Length, 9)), frame, RespLimits.Default);
                    if (RequestParser.TryParse(rest, frame, RespLimits.Default) != ParseStatus.Complete)
                    {
                        throw new InvalidOperationException(frame.Error);
                    }

                    rest = rest.Slice(frame.ConsumedLength);
                }
            }
        }
    }
}
