using System.Buffers;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Tests.Protocol;

/// <summary>How a test presents buffered bytes to a parser.</summary>
public enum Layout
{
    /// <summary>One array, as a single-segment sequence.</summary>
    Contiguous,

    /// <summary>Every byte in its own segment.</summary>
    OneByteSegments,

    /// <summary>Random cut points, empty segments included.</summary>
    RandomSegments,

    /// <summary>A chain that grows by one-byte segments and keeps its segment objects between calls, like a pipe.</summary>
    GrowingChain,
}

/// <summary>
/// Feeds a byte stream to <see cref="RequestParser"/> or <see cref="ReplyScanner"/> the way a connection would:
/// a few bytes at a time, calling again after each Complete, and records what came out as text for comparison.
/// </summary>
public static class ParseDriver
{
    /// <summary>Parses the whole stream at once (after each Complete, the rest of the same buffer).</summary>
    public static List<string> Requests(byte[] stream, RespLimits? limits = null) =>
        Requests(stream, stream.Length, Layout.Contiguous, limits, seed: 0);

    /// <summary>
    /// Parses <paramref name="stream"/> arriving <paramref name="step"/> bytes at a time, presented with <paramref name="layout"/>.
    /// </summary>
    public static List<string> Requests(byte[] stream, int step, Layout layout, RespLimits? limits = null, int seed = 1)
    {
        limits ??= RespLimits.Default;
        var results = new List<string>();
        var frame = new RequestFrame();
        var feed = new Feed(stream, layout, seed);
        int start = 0;
        int available = Math.Min(step, stream.Length);
        while (true)
        {
            var input = feed.View(start, available);
            var status = RequestParser.TryParse(input, frame, limits);
            if (status == ParseStatus.Complete)
            {
                results.Add(Describe(frame));
                start += checked((int)frame.ConsumedLength);
                continue;
            }

            if (status == ParseStatus.Error)
            {
                results.Add("error: " + frame.Error);
                return results;
            }

            if (available == stream.Length)
            {
                if (start < stream.Length)
                {
                    results.Add("incomplete");
                }

                return results;
            }

            available = Math.Min(available + step, stream.Length);
        }
    }

    /// <summary>Scans the replies in <paramref name="stream"/> arriving <paramref name="step"/> bytes at a time.</summary>
    public static List<string> Replies(byte[] stream, int step, Layout layout, int seed = 1)
    {
        var results = new List<string>();
        var state = default(ReplyScanState);
        var feed = new Feed(stream, layout, seed);
        int start = 0;
        int available = Math.Min(step, stream.Length);
        while (true)
        {
            var input = feed.View(start, available);
            var status = ReplyScanner.TryScan(input, ref state, out long length);
            if (status == ParseStatus.Complete)
            {
                results.Add(Encoding.Latin1.GetString(stream, start, checked((int)length)));
                start += (int)length;
                continue;
            }

            if (status == ParseStatus.Error)
            {
                results.Add("error");
                return results;
            }

            if (available == stream.Length)
            {
                if (start < stream.Length)
                {
                    results.Add("incomplete");
                }

                return results;
            }

            available = Math.Min(available + step, stream.Length);
        }
    }

    /// <summary>The request as text: kind, consumed bytes, arguments, and the bytes to forward.</summary>
    public static string Describe(RequestFrame frame)
    {
        var text = new StringBuilder();
        text.Append(frame.IsInline ? "inline " : "multibulk ").Append(frame.ConsumedLength).Append(" [");
        for (int i = 0; i < frame.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : "|").Append(Encoding.Latin1.GetString(frame.ArgSpan(i)));
            var arg = frame.Arg(i).ToArray();
            Assert.Equal(frame.ArgSpan(i).ToArray(), arg);
            Assert.Equal(arg.Length, frame.ArgLength(i));
        }

        text.Append("] ").Append(Encoding.Latin1.GetString(frame.Data.ToArray()));
        return text.ToString();
    }

    /// <summary>Presents growing windows of one stream in a given layout.</summary>
    private sealed class Feed(byte[] stream, Layout layout, int seed)
    {
        private readonly Random _random = new(seed);
        private SegmentedSequence.Chain? _chain;
        private int _chainLength;

        public ReadOnlySequence<byte> View(int start, int end)
        {
            switch (layout)
            {
                case Layout.Contiguous:
                    return new ReadOnlySequence<byte>(stream, start, end - start);
                case Layout.OneByteSegments:
                    return SegmentedSequence.Chunked(stream.AsSpan(start, end - start), 1);
                case Layout.RandomSegments:
                    return SegmentedSequence.Random(stream.AsSpan(start, end - start), _random);
                default:
                    if (end == 0)
                    {
                        return ReadOnlySequence<byte>.Empty;
                    }

                    _chain ??= new SegmentedSequence.Chain(stream.AsMemory(0, 1));
                    _chainLength = Math.Max(_chainLength, 1);
                    while (_chainLength < end)
                    {
                        _chain.Append(stream.AsMemory(_chainLength++, 1));
                    }

                    return _chain.Sequence.Slice(start);
            }
        }
    }
}
