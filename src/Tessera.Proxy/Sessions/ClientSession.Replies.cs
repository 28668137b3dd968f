using System.Buffers;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <summary>
/// The session's side of its output (<see cref="SessionOutput"/> in Replies/ keeps the order and writes): taking a
/// place for the next command, and the replies the proxy makes itself.
/// </summary>
internal sealed partial class ClientSession
{
    private readonly SessionOutput _out;
    private ReplyMode _replyMode;

    private enum ReplyMode : byte
    {
        On,
        Off,
        SkipNext,
    }

    /// <summary>Takes the next place in the reply order.</summary>
    private Reply EnqueueReply()
    {
        if (_redispatching is { Reply: { } reserved } held && !held.ReplyTaken)
        {
            // A held request being dispatched again already has its place.
            held.ReplyTaken = true;
            return reserved;
        }

        var reply = _out.Enqueue();
        if (_timedCommand is { } timed)
        {
            // The first reply of a command carries its metric (SUBSCRIBE a b c answers three times, counted once).
            reply.Metric = timed;
            reply.StartedAt = _timedSince;
            _timedCommand = null;
        }

        if (_replyMode != ReplyMode.On)
        {
            reply.Silent = true;
            if (_replyMode == ReplyMode.SkipNext)
            {
                _replyMode = ReplyMode.On;
            }
        }

        return reply;
    }

    /// <summary>
    /// CLIENT REPLY ON|OFF|SKIP, as Redis 7.0: OFF and SKIP have no reply themselves; OFF silences every reply
    /// until ON, SKIP the next command's; SKIP while OFF changes nothing. Pub/sub messages and invalidations are
    /// still delivered (they are pushes, not replies: redis-server 7.0 sends them under OFF too).
    /// </summary>
    private void SetReplyMode(RequestFrame frame)
    {
        if (frame.ArgEquals(2, "ON"u8))
        {
            _replyMode = ReplyMode.On;
            ReplyOk();
        }
        else if (frame.ArgEquals(2, "OFF"u8))
        {
            _replyMode = ReplyMode.Off;
        }
        else if (frame.ArgEquals(2, "SKIP"u8))
        {
            if (_replyMode != ReplyMode.Off)
            {
                _replyMode = ReplyMode.SkipNext;
            }
        }
        else
        {
            ReplyError("ERR syntax error");
        }
    }

    /// <summary>An out-of-band frame (a pub/sub message or an invalidation) for this client, after the replies owed.</summary>
    internal void Push(in ReadOnlySequence<byte> bytes, FlushBatch batch) => _out.Push(bytes, batch);

    private void CompleteError(Reply reply, string error, FlushBatch batch) => _out.CompleteError(reply, error, batch);

    private Task<bool> WaitForRepliesAsync(TimeSpan timeout, CancellationToken cancellationToken, Reply? before = null) =>
        _out.WaitForRepliesAsync(timeout, cancellationToken, before);

    // ---- Local replies: written into a scratch buffer, then completed like any other reply. ----

    /// <summary>Starts a reply produced by the proxy; write it with RespWriter into the returned writer, then call <see cref="EndLocal"/>.</summary>
    private ArrayBufferWriter<byte> BeginLocal()
    {
        _local.ResetWrittenCount();
        return _local;
    }

    private void EndLocal()
    {
        var reply = EnqueueReply();
        _out.Complete(reply, new ReadOnlySequence<byte>(_local.WrittenMemory), _batch);
    }

    private void ReplyError(string error)
    {
        var reply = EnqueueReply();
        _out.CompleteError(reply, error, _batch);
    }
}
