using System.Buffers;
using Microsoft.Extensions.Logging;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Tracking;

/// <remarks>
/// How invalidations reach clients (backend threads). Tracking connections speak RESP3, so Redis sends
/// <c>&gt;2 invalidate [keys]</c> pushes on them. Without REDIRECT they go to the session as they are (it is
/// RESP3: RESP2 without REDIRECT is refused). With REDIRECT &lt;id&gt; they go to that session of this proxy,
/// the way Redis does it: as the same push to a RESP3 target, as a <c>message</c> on
/// <c>__redis__:invalidate</c> to a RESP2 target in subscribed mode, and not at all to a RESP2 target that
/// subscribed to nothing. A target that left marks the redirect broken and, for a RESP3 session, sends
/// <c>tracking-redir-broken</c>, as Redis does.
/// </remarks>
internal sealed partial class SessionTracking
{
    /// <summary>The start of every invalidation push; the payload (an array of keys, or null) follows.</summary>
    private static readonly byte[] InvalidateHeader = ">2\r\n$10\r\ninvalidate\r\n"u8.ToArray();

    /// <summary>"Flush everything": what Redis sends on FLUSHALL, and what the proxy sends when tracking state was lost.</summary>
    private static readonly byte[] NullInvalidation = ">2\r\n$10\r\ninvalidate\r\n_\r\n"u8.ToArray();

    private static readonly byte[] TrackingMessageHeader = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"u8.ToArray();

    /// <summary>
    /// An invalidation for <paramref name="target"/>, a session that is another's REDIRECT target;
    /// <paramref name="subscribed"/>: whether it is subscribed to anything.
    /// </summary>
    public static void ReceiveRedirected(ISessionView target, bool subscribed, in ReadOnlySequence<byte> push, FlushBatch batch)
    {
        if (target.Protocol == RespProtocol.Resp3)
        {
            target.Push(push, batch);
            return;
        }

        if (!subscribed)
        {
            // Redis sends nothing to a RESP2 target that is not in subscribed mode.
            return;
        }

        var payload = push.Slice(InvalidateHeader.Length);
        bool flush = payload.Length == 3 && payload.FirstSpan[0] == (byte)'_';
        var message = new byte[TrackingMessageHeader.Length + (flush ? 5 : (int)payload.Length)];
        TrackingMessageHeader.CopyTo(message, 0);
        if (flush)
        {
            // RESP2 has no "_": Redis sends a null bulk string here.
            "$-1\r\n"u8.CopyTo(message.AsSpan(TrackingMessageHeader.Length));
        }
        else
        {
            payload.CopyTo(message.AsSpan(TrackingMessageHeader.Length));
        }

        target.Push(new ReadOnlySequence<byte>(message), batch);
    }

    /// <summary>Tells the client to drop its whole cache (a tracking connection broke, or routes changed).</summary>
    internal void DeliverFlush(FlushBatch batch) => DeliverInvalidation(new ReadOnlySequence<byte>(NullInvalidation), batch);

    internal void DeliverInvalidation(in ReadOnlySequence<byte> push, FlushBatch batch)
    {
        if (!IsInvalidation(push))
        {
            // Tracking connections receive no other pushes; anything else is not for the client.
            return;
        }

        long redirect = Options.Redirect;
        if (redirect == 0)
        {
            // A RESP3 client that went back to RESP2 (HELLO 2) gets nothing, as from Redis.
            if (_session.Protocol == RespProtocol.Resp3)
            {
                _session.Push(push, batch);
            }

            return;
        }

        if (_context.Clients.TryGetValue(redirect, out var target))
        {
            target.ReceiveRedirected(push, batch);
            return;
        }

        _redirectBroken = true;
        if (_session.Protocol == RespProtocol.Resp3)
        {
            var broken = new ArrayBufferWriter<byte>(64);
            RespWriter.WritePushHeader(broken, 2, RespProtocol.Resp3);
            RespWriter.WriteBulkString(broken, "tracking-redir-broken"u8);
            RespWriter.WriteInteger(broken, redirect);
            _session.Push(new ReadOnlySequence<byte>(broken.WrittenMemory), batch);
        }
    }

    /// <summary>A link's server refused CLIENT TRACKING ON: logged, and the client told to flush.</summary>
    internal void Refused(string server, string error, FlushBatch batch)
    {
        _context.Logger.LogWarning("CLIENT TRACKING ON was refused by {Server} for client {Id}: {Error}", server, _session.Id, error);
        DeliverFlush(batch);
    }

    private static bool IsInvalidation(in ReadOnlySequence<byte> push)
    {
        if (push.Length <= InvalidateHeader.Length)
        {
            return false;
        }

        Span<byte> start = stackalloc byte[InvalidateHeader.Length];
        push.Slice(0, start.Length).CopyTo(start);
        return start.SequenceEqual(InvalidateHeader);
    }
}
