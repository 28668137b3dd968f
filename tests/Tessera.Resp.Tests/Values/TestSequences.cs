using System.Buffers;

namespace Tessera.Resp.Tests.Values;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as a socket delivers bytes in pieces.</summary>
internal static class TestSequences
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
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

    /// <summary>Splits <paramref name="bytes"/> at the given ascending offsets (each piece copied to its own array).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] offsets)
    {
        int start = 0;
        Segment? first = null;
        Segment? last = null;
        foreach (int end in offsets.Append(bytes.Length))
        {
            ReadOnlyMemory<byte> piece = bytes.AsSpan(start, end - start).ToArray();
            last = last is null ? (first = new Segment(piece, 0)) : last.Append(piece);
            start = end;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>One segment per byte: the harshest split.</summary>
    public static ReadOnlySequence<byte> PerByte(byte[] bytes) =>
        bytes.Length < 2 ? new ReadOnlySequence<byte>(bytes) : Split(bytes, Enumerable.Range(1, bytes.Length - 1).ToArray());
}
