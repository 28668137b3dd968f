using System.Buffers;
using Microsoft.Extensions.Logging;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Tracking;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// How invalidations reach clients (backend threads). Tracking connections speak RESP3, so Redis sends
/// <c>&gt;2 invalidate [keys]</c> pushes on them. Without REDIRECT they go to the session as they are (it is
/// RESP3: RESP2 without REDIRECT is refused). With REDIRECT &lt;id&gt; they go to that session of this proxy,
/// the way Redis does it: as the same push to a RESP3 target, as a <c>message</c> on
/// <c>__redis__:invalidate</c> to a RESP2 target in subscribed mode, and not at all to a RESP2 target that
/// subscribed to nothing. A target that left marks the redirect broken and, for a RESP3 session, sends
/// <c>tracking-redir-broken</c>, as Redis does.
/// </remarks>
internal sealed partial class ClientSession
{
    /// <summary>The start of every invalidation push; the payload (an array of keys, or null) follows.</summary>
    private static readonly byte[] InvalidateHeader = ">2\r\n$10\r\ninvalidate\r\n"u8.ToArray();

    /// <summary>"Flush everything": what Redis sends on FLUSHALL, and what the proxy sends when tracking state was lost.</summary>
    private static readonly byte[] NullInvalidation = ">2\r\n$10\r\ninvalidate\r\n_\r\n"u8.ToArray();

    private static readonly byte[] TrackingMessageHeader = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"u8.ToArray();

    /// <summary>Tells the client to drop its whole cache (a tracking connection broke, or routes changed).</summary>
    private void DeliverFlush(TrackingState tracking, FlushBatch batch) =>
        DeliverInvalidation(tracking, new ReadOnlySequence<byte>(NullInvalidation), batch);

    private void DeliverInvalidation(TrackingState tracking, in ReadOnlySequence<byte> push, FlushBatch batch)
    {
        if (!IsInvalidation(push))
        {
            // Tracking connections receive no other pushes; anything else is not for the client.
            return;
        }

        long redirect = tracking.Options.Redirect;
        if (redirect == 0)
        {
            // A RESP3 client that went back to RESP2 (HELLO 2) gets nothing, as from Redis.
            if (Protocol == RespProtocol.Resp3)
            {
                Push(push, batch);
            }

            return;
        }

        if (_context.Clients.TryGetValue(redirect, out var target))
        {
            target.ReceiveRedirected(push, batch);
            return;
        }

        tracking.RedirectBroken = true;
        if (Protocol == RespProtocol.Resp3)
        {
            var broken = new ArrayBufferWriter<byte>(64);
            RespWriter.WritePushHeader(broken, 2, RespProtocol.Resp3);
            RespWriter.WriteBulkString(broken, "tracking-redir-broken"u8);
            RespWriter.WriteInteger(broken, redirect);
            Push(new ReadOnlySequence<byte>(broken.WrittenMemory), batch);
        }
    }

    /// <summary>An invalidation for a session that is another's REDIRECT target.</summary>
    internal void ReceiveRedirected(in ReadOnlySequence<byte> push, FlushBatch batch)
    {
        if (Protocol == RespProtocol.Resp3)
        {
            Push(push, batch);
            return;
        }

        if (_subs is not { } subs || (subs.Count == 0 && subs.ShardChannels.Count == 0))
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

        Push(new ReadOnlySequence<byte>(message), batch);
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

    /// <summary>What CLIENT CACHING YES|NO is doing: armed by it, current for the command right after it.</summary>
    private enum CachingState
    {
        None,
        Armed,
        Current,
    }

    /// <summary>A session's client-side caching: its options and its connection to each master.</summary>
    private sealed class TrackingState(TrackingOptions options, RoutingSnapshot snapshot)
    {
        private volatile TrackingOptions _options = options;
        private volatile bool _redirectBroken;

        /// <summary>Written by the session, read by backend threads when a link (re)starts.</summary>
        public TrackingOptions Options
        {
            get => _options;
            set
            {
                _options = value;
                _redirectBroken = false;
            }
        }

        /// <summary>Set when an invalidation found its REDIRECT target gone (CLIENT TRACKINGINFO: broken_redirect).</summary>
        public bool RedirectBroken
        {
            get => _redirectBroken;
            set => _redirectBroken = value;
        }

        /// <summary>Tracking connections by master; session thread only.</summary>
        public Dictionary<BackendServer, TrackingLink> Links { get; } = [];

        /// <summary>The routes the connections were checked against last.</summary>
        public RoutingSnapshot Snapshot { get; set; } = snapshot;

        public CachingState Caching { get; set; }
    }

    /// <summary>
    /// One tracking connection's view of its links: every new socket gets CLIENT SETNAME (so operators and tests
    /// can find it in CLIENT LIST) and CLIENT TRACKING ON with the session's current options before any command;
    /// a lost socket means the server forgot the tracked keys, so the client is told to flush.
    /// </summary>
    private sealed class TrackingLink(ClientSession session, TrackingState tracking, string name) : IBackendLinkObserver
    {
        private volatile bool _closed;

        public BackendConnection Connection { get; set; } = null!;

        /// <summary>The session let go of this connection: nothing more is delivered from it.</summary>
        public void Close() => _closed = true;

        public void OnLinkStarting(IBufferWriter<byte> writer, List<BackendRequest> requests)
        {
            RespWriter.WriteCommand(writer, "CLIENT", "SETNAME", name);
            requests.Add(IgnoredRequest.Instance);
            tracking.Options.WriteEnableCommand(writer);
            requests.Add(new EnableRequest(this));
        }

        public void OnLinkLost(string reason, FlushBatch batch)
        {
            if (!_closed)
            {
                session.DeliverFlush(tracking, batch);
            }
        }

        public void OnPush(ReadOnlySequence<byte> frame, FlushBatch batch)
        {
            if (!_closed)
            {
                session.DeliverInvalidation(tracking, frame, batch);
            }
        }

        /// <summary>Sends CLIENT TRACKING ON with the current options on the open link (options changed).</summary>
        public void SendEnable(FlushBatch batch)
        {
            if (!Connection.TryBeginWrite(out var writer, out _))
            {
                // Down: the next link starts with the new options anyway.
                return;
            }

            try
            {
                tracking.Options.WriteEnableCommand(writer);
            }
            finally
            {
                Connection.EndWrite(new EnableRequest(this));
            }
        }

        /// <summary>The server refused CLIENT TRACKING ON: reads are not tracked, so the client must not trust its cache.</summary>
        private void Refused(string error, FlushBatch batch)
        {
            if (_closed)
            {
                return;
            }

            session._context.Logger.LogWarning("CLIENT TRACKING ON was refused by {Server} for client {Id}: {Error}", Connection.ServerAddress, session.Id, error);
            session.DeliverFlush(tracking, batch);
        }

        private sealed class EnableRequest(TrackingLink link) : BackendRequest
        {
            public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
            {
                if (reply.FirstSpan[0] == (byte)'-')
                {
                    link.Refused(System.Text.Encoding.UTF8.GetString(reply.ToArray()).Trim(), batch);
                }
            }

            public override void OnFailure(string error, FlushBatch batch)
            {
                // The link failed: OnLinkLost already told the client.
            }
        }
    }
}
