using System.Buffers;

namespace Tessera.Resp.Tests.Protocol;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a pipe hands them out, for parser tests.</summary>
public static class SegmentedSequence
{
    /// <summary><paramref name="data"/> cut into segments of <paramref name="size"/> bytes (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Chunked(ReadOnlySpan<byte> data, int size)
    {
        var cuts = new List<int>();
        for (int at = size; at < data.Length; at += size)
        {
            cuts.Add(at);
        }

        return Split(data, cuts);
    }

    /// <summary><paramref name="data"/> cut at random points, with some empty segments thrown in.</summary>
    public static ReadOnlySequence<byte> Random(ReadOnlySpan<byte> data, Random random)
    {
        var cuts = new List<int>();
        int at = 0;
        while (true)
        {
            at += random.Next(0, 9);
            if (at >= data.Length)
            {
                break;
            }

            cuts.Add(at); // repeated cut points make empty segments
        }

        return Split(data, cuts);
    }

    /// <summary><paramref name="bytes"/> cut at the given ascending offsets; each segment gets its own array.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] offsets) => Split(bytes.AsSpan(), (IReadOnlyList<int>)offsets);

    /// <summary>One segment per byte: the harshest split.</summary>
    public static ReadOnlySequence<byte> PerByte(byte[] bytes) => Chunked(bytes, 1);

    /// <summary><paramref name="data"/> cut at the given ascending offsets; each segment gets its own array.</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, IReadOnlyList<int> cuts)
    {
        if (cuts.Count == 0)
        {
            return new ReadOnlySequence<byte>(data.ToArray());
        }

        Segment? first = null;
        Segment? last = null;
        int previous = 0;
        for (int i = 0; i <= cuts.Count; i++)
        {
            int end = i < cuts.Count ? cuts[i] : data.Length;
            var memory = data.Slice(previous, end - previous).ToArray();
            last = last is null ? new Segment(memory, 0) : last.Append(memory);
            first ??= last;
            previous = end;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>A growing chain of segments that keeps its segment objects, like a pipe between reads.</summary>
    public sealed class Chain
    {
        private readonly Segment _first;
        private Segment _last;

        public Chain(ReadOnlyMemory<byte> first)
        {
            _first = new Segment(first, 0);
            _last = _first;
        }

        public void Append(ReadOnlyMemory<byte> memory) => _last = _last.Append(memory);

        public ReadOnlySequence<byte> Sequence => new(_first, 0, _last, _last.Memory.Length);
    }

    /// <summary>One buffer segment.</summary>
    public sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
