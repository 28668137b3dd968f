using System.Buffers;

namespace Tessera.Resp.Protocol;

/// <summary>
/// Finds where an incremental parse left off in a multi-segment sequence without walking it from the start.
/// </summary>
/// <remarks>
/// <see cref="ReadOnlySequence{T}.GetPosition(long)"/> walks the segment list, so resuming a 500 MB value that
/// arrives in 4 KB segments that way would cost time quadratic in its size. A pipe hands back the same segment
/// objects from one read to the next as long as the reader did not consume past them, so the position saved by
/// the last call is still valid when the sequence starts at the same segment and index. The saved position is
/// also checked against the expected offset through the segments' running indexes (O(1)); anything else (a
/// freshly built sequence, as in tests) falls back to the walk.
/// </remarks>
internal static class ResumePoint
{
    /// <summary>The position <paramref name="offset"/> bytes into <paramref name="input"/>.</summary>
    /// <param name="savedStart">Start of the sequence the last call saw.</param>
    /// <param name="savedAt">Position the last call stopped at, <paramref name="offset"/> bytes after <paramref name="savedStart"/>.</param>
    internal static SequencePosition Locate(in ReadOnlySequence<byte> input, SequencePosition savedStart, SequencePosition savedAt, long offset)
    {
        if (offset == 0)
        {
            return input.Start;
        }

        SequencePosition start = input.Start;
        if (savedAt.GetObject() is ReadOnlySequenceSegment<byte> at
            && start.GetObject() is ReadOnlySequenceSegment<byte> first
            && ReferenceEquals(first, savedStart.GetObject())
            && start.GetInteger() == savedStart.GetInteger()
            && offset <= input.Length
            && at.RunningIndex + savedAt.GetInteger() - (first.RunningIndex + start.GetInteger()) == offset)
        {
            return savedAt;
        }

        return input.GetPosition(offset);
    }
}
