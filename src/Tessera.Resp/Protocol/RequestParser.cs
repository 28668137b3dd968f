using System.Buffers;

namespace Tessera.Resp.Protocol;

/// <summary>
/// Incremental parser for client requests: RESP arrays of bulk strings, and inline commands
/// (a line of space-separated words, with Redis's quoting rules) as typed into telnet.
/// </summary>
public static class RequestParser
{
    /// <summary>
    /// Parses one request at the start of <paramref name="input"/> into <paramref name="frame"/>.
    /// <list type="bullet">
    /// <item><see cref="ParseStatus.Complete"/>: <paramref name="frame"/> describes the request; advance the reader by <see cref="RequestFrame.ConsumedLength"/>.
    /// A following call starts a new request.</item>
    /// <item><see cref="ParseStatus.Incomplete"/>: more bytes are needed; call again with the same start and more data (progress is kept in the frame).</item>
    /// <item><see cref="ParseStatus.Error"/>: <see cref="RequestFrame.Error"/> says what was wrong, e.g. "Protocol error: invalid bulk length".</item>
    /// </list>
    /// Empty inline lines are skipped (consumed with <see cref="RequestFrame.Count"/> = 0 and status Complete).
    /// </summary>
    public static ParseStatus TryParse(in ReadOnlySequence<byte> input, RequestFrame frame, RespLimits limits)
    {
        throw new NotImplementedException();
    }
}
