using System.Buffers;
using System.Text;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Pub/sub through the proxy. PUBLISH and SPUBLISH go to the group that owns the channel's slot, and
/// SUBSCRIBE/SSUBSCRIBE subscribe there too, so publishers and subscribers always meet. PSUBSCRIBE
/// subscribes on every group (a message is published on exactly one group, so nothing arrives twice),
/// which also makes keyspace notifications reachable. Subscriptions live on dedicated connections whose
/// frames go straight to a sink: messages are forwarded as they come, the backends' own confirmations are
/// dropped and the proxy answers with counts over all groups. When routes change (a failover, a slot
/// move), channels whose group master changed are subscribed again on the new one.
/// </remarks>
internal sealed partial class ClientSession
{
    private Subscriptions? _subs;

    /// <summary>True while a RESP2 client is in subscribed mode (only (P|S)(UN)SUBSCRIBE, PING, QUIT, RESET allowed).</summary>
    private bool InSubscribedMode => _subs is { Count: > 0 } && Protocol == RespProtocol.Resp2;

    private void RunPubSub(RequestFrame frame, string name)
    {
        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        switch (name)
        {
            case "subscribe":
                Subscribe(routes, frame, "subscribe", shard: false);
                break;
            case "ssubscribe":
                Subscribe(routes, frame, "ssubscribe", shard: true);
                break;
            case "psubscribe":
                PSubscribe(routes, frame);
                break;
            case "unsubscribe":
                Unsubscribe(frame, "unsubscribe", shard: false);
                break;
            case "sunsubscribe":
                Unsubscribe(frame, "sunsubscribe", shard: true);
                break;
            case "punsubscribe":
                PUnsubscribe(frame);
                break;
            case "publish":
            case "spublish":
                {
                    int slot = KeySlot.Of(frame.ArgSpan(1));
                    if (routes.Slots[slot] is { } group)
                    {
                        Forward(group, frame);
                    }
                    else
                    {
                        ReplyError(SlotNotServed(routes, slot));
                    }

                    break;
                }

            case "pubsub|channels":
            case "pubsub|shardchannels":
                FanOutFrame(routes, frame, MergeKind.UnionArrays);
                break;
            case "pubsub|numsub":
            case "pubsub|shardnumsub":
                FanOutFrame(routes, frame, MergeKind.SumPairs);
                break;
            case "pubsub|numpat":
                // Every proxy session subscribes its patterns on every group: each group knows them all.
                FanOutFrame(routes, frame, MergeKind.MaxInteger);
                break;
            default:
                ReplyError($"ERR {name.Replace('|', ' ').ToUpperInvariant()} is not supported through Tessera");
                break;
        }
    }

    private void Subscribe(NamespaceRoutes routes, RequestFrame frame, string kind, bool shard)
    {
        var subs = _subs ??= new Subscriptions();
        for (int i = 1; i < frame.Count; i++)
        {
            var channel = frame.ArgSpan(i);
            string key = Encoding.Latin1.GetString(channel);
            var map = shard ? subs.ShardChannels : subs.Channels;
            if (!map.ContainsKey(key))
            {
                int slot = KeySlot.Of(channel);
                if (routes.Slots[slot] is not { } group)
                {
                    ReplyError(SlotNotServed(routes, slot));
                    return;
                }

                if (PushConnection(group.Master) is not { } connection)
                {
                    return;
                }

                map[key] = group.Master;

                // Confirm only once the server has subscribed, so a PUBLISH sent after the confirmation
                // always finds the subscription.
                var pending = new PendingConfirmation(EnqueueReply(), SubscriptionReply(kind, channel, shard ? subs.ShardChannels.Count : subs.Count), 1);
                subs.Links[group.Master].Expect(pending);
                SendOn(connection, shard ? "SSUBSCRIBE" : "SUBSCRIBE", channel);
                _ = ConfirmLateAsync(pending);
                continue;
            }

            WriteSubscriptionReply(kind, channel, shard ? subs.ShardChannels.Count : subs.Count);
        }

        _context.HeldSessions.TryAdd(this, 0);
        _subsSnapshot = _context.Routing.Current;
    }

    private void PSubscribe(NamespaceRoutes routes, RequestFrame frame)
    {
        var subs = _subs ??= new Subscriptions();
        for (int i = 1; i < frame.Count; i++)
        {
            var pattern = frame.ArgSpan(i);
            string key = Encoding.Latin1.GetString(pattern);
            if (subs.Patterns.Add(key) && routes.Groups.Count > 0)
            {
                var pending = new PendingConfirmation(EnqueueReply(), SubscriptionReply("psubscribe", pattern, subs.Count), routes.Groups.Count);
                foreach (var group in routes.Groups)
                {
                    if (PushConnection(group.Master) is not { } connection)
                    {
                        pending.Arrived(_batch);
                        continue;
                    }

                    subs.Links[group.Master].Expect(pending);
                    SendOn(connection, "PSUBSCRIBE", pattern);
                }

                _ = ConfirmLateAsync(pending);
                continue;
            }

            WriteSubscriptionReply("psubscribe", pattern, subs.Count);
        }

        _context.HeldSessions.TryAdd(this, 0);
        _subsSnapshot = _context.Routing.Current;
    }

    private void Unsubscribe(RequestFrame frame, string kind, bool shard)
    {
        var subs = _subs ??= new Subscriptions();
        var map = shard ? subs.ShardChannels : subs.Channels;
        var channels = new List<string>();
        for (int i = 1; i < frame.Count; i++)
        {
            channels.Add(Encoding.Latin1.GetString(frame.ArgSpan(i)));
        }

        if (frame.Count == 1)
        {
            channels.AddRange(map.Keys);
        }

        if (channels.Count == 0)
        {
            WriteSubscriptionReply(kind, (byte[]?)null, shard ? subs.ShardChannels.Count : subs.Count);
            return;
        }

        foreach (var channel in channels)
        {
            var bytes = Encoding.Latin1.GetBytes(channel);
            if (map.Remove(channel, out var server) && subs.Connections.TryGetValue(server, out var connection))
            {
                SendOn(connection, shard ? "SUNSUBSCRIBE" : "UNSUBSCRIBE", bytes);
            }

            WriteSubscriptionReply(kind, bytes, shard ? subs.ShardChannels.Count : subs.Count);
        }
    }

    private void PUnsubscribe(RequestFrame frame)
    {
        var subs = _subs ??= new Subscriptions();
        var patterns = new List<string>();
        for (int i = 1; i < frame.Count; i++)
        {
            patterns.Add(Encoding.Latin1.GetString(frame.ArgSpan(i)));
        }

        if (frame.Count == 1)
        {
            patterns.AddRange(subs.Patterns);
        }

        if (patterns.Count == 0)
        {
            WriteSubscriptionReply("punsubscribe", (byte[]?)null, subs.Count);
            return;
        }

        foreach (var pattern in patterns)
        {
            var bytes = Encoding.Latin1.GetBytes(pattern);
            if (subs.Patterns.Remove(pattern))
            {
                foreach (var connection in subs.Connections.Values)
                {
                    SendOn(connection, "PUNSUBSCRIBE", bytes);
                }
            }

            WriteSubscriptionReply("punsubscribe", bytes, subs.Count);
        }
    }

    /// <summary>After a route change: channels whose group master changed are subscribed on the new master; patterns reach every current master.</summary>
    private void RefreshSubscriptions()
    {
        if (_subs is not { Count: > 0 } subs || ReferenceEquals(_subsSnapshot, _context.Routing.Current))
        {
            return;
        }

        _subsSnapshot = _context.Routing.Current;
        if (_subsSnapshot.Find(Namespace) is not { } routes)
        {
            return;
        }

        foreach (var (map, subscribe, unsubscribe) in new[] { (subs.Channels, "SUBSCRIBE", "UNSUBSCRIBE"), (subs.ShardChannels, "SSUBSCRIBE", "SUNSUBSCRIBE") })
        {
            foreach (var (channel, server) in map.ToList())
            {
                var bytes = Encoding.Latin1.GetBytes(channel);
                if (routes.Slots[KeySlot.Of(bytes)] is not { } group || ReferenceEquals(group.Master, server))
                {
                    continue;
                }

                if (subs.Connections.TryGetValue(server, out var old))
                {
                    SendOn(old, unsubscribe, bytes);
                }

                if (PushConnection(group.Master, answerErrors: false) is { } connection)
                {
                    subs.Links[group.Master].Expect(null);
                    SendOn(connection, subscribe, bytes);
                    map[channel] = group.Master;
                }
            }
        }

        foreach (var group in routes.Groups)
        {
            if (!subs.Connections.ContainsKey(group.Master) && subs.Patterns.Count > 0 && PushConnection(group.Master, answerErrors: false) is { } connection)
            {
                foreach (var pattern in subs.Patterns)
                {
                    subs.Links[group.Master].Expect(null);
                    SendOn(connection, "PSUBSCRIBE", Encoding.Latin1.GetBytes(pattern));
                }
            }
        }
    }

    private RoutingSnapshot? _subsSnapshot;

    /// <summary>The subscribed connection to <paramref name="server"/>, opened on first use with this session's protocol.</summary>
    private BackendConnection? PushConnection(BackendServer server, bool answerErrors = true)
    {
        var subs = _subs ??= new Subscriptions();
        if (subs.Connections.TryGetValue(server, out var connection))
        {
            return connection;
        }

        var link = new SubscriptionLink(this);
        connection = _context.Dedicated.TryOpen(server, Protocol, link.OnFrame);
        if (connection is null)
        {
            if (answerErrors)
            {
                ReplyError(_context.Dedicated.Refusal("ERR"));
            }

            return null;
        }

        subs.Connections[server] = connection;
        subs.Links[server] = link;
        return connection;
    }

    private void SendOn(BackendConnection connection, string command, ReadOnlySpan<byte> argument)
    {
        if (!connection.TryBeginWrite(out var writer, out _))
        {
            return;
        }

        try
        {
            RespWriter.WriteArrayHeader(writer, 2);
            RespWriter.WriteBulkString(writer, command);
            RespWriter.WriteBulkString(writer, argument);
        }
        finally
        {
            connection.EndWrite(IgnoredRequest.Instance);
        }

        Touch(connection);
    }

    /// <summary>The name of a subscription frame ("message", "subscribe"...), from its first element.</summary>
    private static ReadOnlySpan<byte> FrameName(in ReadOnlySequence<byte> frame, Span<byte> scratch)
    {
        int n = (int)Math.Min(frame.Length, scratch.Length);
        frame.Slice(0, n).CopyTo(scratch);
        var text = scratch[..n];
        int lineEnd = text.IndexOf((byte)'\n');
        if (lineEnd < 0 || (text[0] != (byte)'*' && text[0] != (byte)'>'))
        {
            return default;
        }

        var first = text[(lineEnd + 1)..];
        int nameStart = first.IndexOf((byte)'\n') + 1;
        if (nameStart <= 0)
        {
            return default;
        }

        var name = first[nameStart..];
        int end = name.IndexOf((byte)'\r');
        return end < 0 ? default : name[..end];
    }

    /// <summary>The client's confirmation bytes for one (un)subscription.</summary>
    private byte[] SubscriptionReply(string kind, ReadOnlySpan<byte> channel, int count)
    {
        WriteSubscriptionHeader(kind, channel.ToArray(), count);
        var bytes = _local.WrittenSpan.ToArray();
        _local.ResetWrittenCount();
        return bytes;
    }

    /// <summary>A confirmation the server never sent (its connection failed) is given anyway after the request timeout.</summary>
    private async Task ConfirmLateAsync(PendingConfirmation pending)
    {
        await Task.Delay(_context.Options.RequestTimeout).ConfigureAwait(false);
        var batch = new FlushBatch();
        pending.Force(batch);
        batch.FlushAll();
    }

    private void WriteSubscriptionReply(string kind, ReadOnlySpan<byte> channel, int count) => WriteSubscriptionReply(kind, channel.ToArray(), count);

    private void WriteSubscriptionReply(string kind, byte[]? channel, int count)
    {
        WriteSubscriptionHeader(kind, channel, count);
        EndLocal();
    }

    private void WriteSubscriptionHeader(string kind, byte[]? channel, int count)
    {
        var w = BeginLocal();
        if (Protocol == RespProtocol.Resp3)
        {
            w.GetSpan(1)[0] = (byte)'>';
            w.Advance(1);
            RespWriter.WriteRaw(w, "3\r\n"u8);
        }
        else
        {
            RespWriter.WriteArrayHeader(w, 3);
        }

        RespWriter.WriteBulkString(w, kind);
        if (channel is null)
        {
            RespWriter.WriteNull(w, Protocol);
        }
        else
        {
            RespWriter.WriteBulkString(w, channel);
        }

        RespWriter.WriteInteger(w, count);
    }

    private void CloseSubscriptions()
    {
        if (_subs is null)
        {
            return;
        }

        foreach (var (server, connection) in _subs.Connections)
        {
            _context.Dedicated.Close(server, connection);
        }

        _subs = null;
    }

    /// <summary>What this session is subscribed to, and where.</summary>
    private sealed class Subscriptions
    {
        public Dictionary<string, BackendServer> Channels { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, BackendServer> ShardChannels { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Patterns { get; } = new(StringComparer.Ordinal);

        public Dictionary<BackendServer, BackendConnection> Connections { get; } = [];

        public Dictionary<BackendServer, SubscriptionLink> Links { get; } = [];

        /// <summary>Channels and patterns, as Redis counts them in (un)subscribe replies.</summary>
        public int Count => Channels.Count + Patterns.Count;
    }

    /// <summary>
    /// The frames of one subscribed connection (backend thread): messages go to the client; each
    /// subscribe confirmation releases the oldest confirmation the client is waiting for on this
    /// connection (the server confirms in the order the subscriptions were sent).
    /// </summary>
    private sealed class SubscriptionLink(ClientSession session)
    {
        private readonly Queue<PendingConfirmation?> _expected = new();

        /// <summary>Registers the confirmation the next subscription sent on this connection will release (null: nobody waits).</summary>
        public void Expect(PendingConfirmation? pending)
        {
            lock (_expected)
            {
                _expected.Enqueue(pending);
            }
        }

        public void OnFrame(ReadOnlySequence<byte> frame, FlushBatch batch)
        {
            var name = FrameName(frame, stackalloc byte[48]);
            if (name.SequenceEqual("message"u8) || name.SequenceEqual("pmessage"u8) || name.SequenceEqual("smessage"u8))
            {
                session.Push(frame, batch);
            }
            else if (name.SequenceEqual("subscribe"u8) || name.SequenceEqual("psubscribe"u8) || name.SequenceEqual("ssubscribe"u8))
            {
                PendingConfirmation? pending = null;
                lock (_expected)
                {
                    _expected.TryDequeue(out pending);
                }

                pending?.Arrived(batch);
            }
        }
    }

    /// <summary>A subscription reply the client gets once every server involved has confirmed.</summary>
    private sealed class PendingConfirmation(Reply reply, byte[] bytes, int servers)
    {
        private int _remaining = servers;
        private int _done;

        public void Arrived(FlushBatch batch)
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                Force(batch);
            }
        }

        public void Force(FlushBatch batch)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                reply.Session.Complete(reply, new ReadOnlySequence<byte>(bytes), batch);
            }
        }
    }

    /// <summary>A request whose reply nobody needs (sent on subscribed connections, where frames go to the sink anyway).</summary>
    private sealed class IgnoredRequest : BackendRequest
    {
        public static readonly IgnoredRequest Instance = new();

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
        }
    }
}
