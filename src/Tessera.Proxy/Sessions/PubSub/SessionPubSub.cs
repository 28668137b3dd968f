using System.Text;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.PubSub;

/// <summary>
/// One session's subscriptions: what it is subscribed to, where, and the subscribed connections. Created on the
/// session's first SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE; session thread only, except the links' frames.
/// </summary>
/// <remarks>
/// SUBSCRIBE/SSUBSCRIBE subscribe on the group that owns the channel's slot (where PUBLISH and SPUBLISH go, so
/// publishers and subscribers always meet). PSUBSCRIBE subscribes on every group (a message is published on
/// exactly one group, so nothing arrives twice), which also makes keyspace notifications reachable.
/// Subscriptions live on dedicated connections whose frames go straight to a <see cref="SubscriptionLink"/>:
/// messages are forwarded as they come, the backends' own confirmations are dropped and the proxy answers with
/// counts over all groups. When routes change (a failover, a slot move), channels whose group master changed
/// are subscribed again on the new one.
/// </remarks>
internal sealed class SessionPubSub(ISessionView session)
{
    private readonly ProxyContext _context = session.Context;
    private RoutingSnapshot? _snapshot;

    internal Dictionary<string, BackendServer> Channels { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, BackendServer> ShardChannels { get; } = new(StringComparer.Ordinal);

    internal HashSet<string> Patterns { get; } = new(StringComparer.Ordinal);

    private Dictionary<BackendServer, BackendConnection> Connections { get; } = [];

    private Dictionary<BackendServer, SubscriptionLink> Links { get; } = [];

    /// <summary>Channels and patterns, as Redis counts them in (un)subscribe replies (shard channels are counted apart).</summary>
    public int Count => Channels.Count + Patterns.Count;

    /// <summary>True while subscribed to anything, shard channels included.</summary>
    public bool Any => Count > 0 || ShardChannels.Count > 0;

    /// <summary>SUBSCRIBE or SSUBSCRIBE (<paramref name="kind"/>) of every channel in <paramref name="frame"/>.</summary>
    public void Subscribe(NamespaceRoutes routes, RequestFrame frame, string kind)
    {
        bool shard = kind == "ssubscribe";
        var map = shard ? ShardChannels : Channels;
        for (int i = 1; i < frame.Count; i++)
        {
            var channel = frame.ArgSpan(i);
            string key = Encoding.Latin1.GetString(channel);
            if (!map.ContainsKey(key))
            {
                int slot = KeySlot.Of(channel);
                if (routes.Slots[slot] is not { } group)
                {
                    session.ReplyError(ClientSession.SlotNotServed(routes, slot));
                    return;
                }

                if (PushConnection(group.Master) is not { } connection)
                {
                    return;
                }

                map[key] = group.Master;

                // Confirm only once the server has subscribed, so a PUBLISH sent after the confirmation
                // always finds the subscription.
                var pending = new PendingConfirmation(session.EnqueueReply(), SubscriptionReplies.Bytes(session, kind, channel, CountFor(shard)), 1);
                Links[group.Master].Expect(pending);
                SendOn(connection, shard ? "SSUBSCRIBE" : "SUBSCRIBE", channel);
                _ = ConfirmLateAsync(pending);
                continue;
            }

            SubscriptionReplies.Reply(session, kind, channel, CountFor(shard));
        }

        WatchRoutes();
    }

    public void PSubscribe(NamespaceRoutes routes, RequestFrame frame)
    {
        for (int i = 1; i < frame.Count; i++)
        {
            var pattern = frame.ArgSpan(i);
            string key = Encoding.Latin1.GetString(pattern);
            if (Patterns.Add(key) && routes.Groups.Count > 0)
            {
                var pending = new PendingConfirmation(session.EnqueueReply(), SubscriptionReplies.Bytes(session, "psubscribe", pattern, Count), routes.Groups.Count);
                foreach (var group in routes.Groups)
                {
                    if (PushConnection(group.Master) is not { } connection)
                    {
                        pending.Arrived(session.Batch);
                        continue;
                    }

                    Links[group.Master].Expect(pending);
                    SendOn(connection, "PSUBSCRIBE", pattern);
                }

                _ = ConfirmLateAsync(pending);
                continue;
            }

            SubscriptionReplies.Reply(session, "psubscribe", pattern, Count);
        }

        WatchRoutes();
    }

    /// <summary>
    /// UNSUBSCRIBE, SUNSUBSCRIBE or PUNSUBSCRIBE (<paramref name="kind"/>): of the names given, or of all of that kind
    /// when none is. A session that never subscribed (<paramref name="pubsub"/> null) is answered as one subscribed to nothing.
    /// </summary>
    public static void Unsubscribe(ISessionView session, SessionPubSub? pubsub, RequestFrame frame, string kind)
    {
        bool patterns = kind == "punsubscribe";
        bool shard = kind == "sunsubscribe";
        var names = new List<string>();
        for (int i = 1; i < frame.Count; i++)
        {
            names.Add(Encoding.Latin1.GetString(frame.ArgSpan(i)));
        }

        if (frame.Count == 1 && pubsub is not null)
        {
            names.AddRange(patterns ? pubsub.Patterns : (shard ? pubsub.ShardChannels : pubsub.Channels).Keys);
        }

        if (names.Count == 0)
        {
            SubscriptionReplies.WriteNoChannel(session.BeginLocal(), session.Protocol, kind, pubsub?.CountFor(shard) ?? 0);
            session.EndLocal();
            return;
        }

        foreach (var name in names)
        {
            var bytes = Encoding.Latin1.GetBytes(name);
            if (pubsub is not null)
            {
                pubsub.Remove(name, bytes, patterns, shard);
            }

            SubscriptionReplies.Reply(session, kind, bytes, pubsub?.CountFor(shard) ?? 0);
        }
    }

    /// <summary>After a route change: channels whose group master changed are subscribed on the new master; patterns reach every current master.</summary>
    public void Refresh()
    {
        if (Count == 0 || ReferenceEquals(_snapshot, _context.Routing.Current))
        {
            return;
        }

        _snapshot = _context.Routing.Current;
        if (_snapshot.Find(session.Namespace) is not { } routes)
        {
            return;
        }

        foreach (var (map, subscribe, unsubscribe) in new[] { (Channels, "SUBSCRIBE", "UNSUBSCRIBE"), (ShardChannels, "SSUBSCRIBE", "SUNSUBSCRIBE") })
        {
            foreach (var (channel, server) in map.ToList())
            {
                var bytes = Encoding.Latin1.GetBytes(channel);
                if (routes.Slots[KeySlot.Of(bytes)] is not { } group || ReferenceEquals(group.Master, server))
                {
                    continue;
                }

                if (Connections.TryGetValue(server, out var old))
                {
                    SendOn(old, unsubscribe, bytes);
                }

                if (PushConnection(group.Master, answerErrors: false) is { } connection)
                {
                    Links[group.Master].Expect(null);
                    SendOn(connection, subscribe, bytes);
                    map[channel] = group.Master;
                }
            }
        }

        foreach (var group in routes.Groups)
        {
            if (!Connections.ContainsKey(group.Master) && Patterns.Count > 0 && PushConnection(group.Master, answerErrors: false) is { } connection)
            {
                foreach (var pattern in Patterns)
                {
                    Links[group.Master].Expect(null);
                    SendOn(connection, "PSUBSCRIBE", Encoding.Latin1.GetBytes(pattern));
                }
            }
        }
    }

    /// <summary>Closes the subscribed connections (the client left, or RESET).</summary>
    public void Close()
    {
        foreach (var (server, connection) in Connections)
        {
            _context.Dedicated.Close(server, connection);
        }

        Connections.Clear();
        Links.Clear();
    }

    private int CountFor(bool shard) => shard ? ShardChannels.Count : Count;

    private void Remove(string name, byte[] bytes, bool pattern, bool shard)
    {
        if (pattern)
        {
            if (Patterns.Remove(name))
            {
                foreach (var connection in Connections.Values)
                {
                    SendOn(connection, "PUNSUBSCRIBE", bytes);
                }
            }
        }
        else if ((shard ? ShardChannels : Channels).Remove(name, out var server) && Connections.TryGetValue(server, out var connection))
        {
            SendOn(connection, shard ? "SUNSUBSCRIBE" : "UNSUBSCRIBE", bytes);
        }
    }

    /// <summary>Route changes wake the session from now on, to refresh the subscriptions.</summary>
    private void WatchRoutes()
    {
        session.WatchRoutes();
        _snapshot = _context.Routing.Current;
    }

    /// <summary>The subscribed connection to <paramref name="server"/>, opened on first use with this session's protocol.</summary>
    private BackendConnection? PushConnection(BackendServer server, bool answerErrors = true)
    {
        if (Connections.TryGetValue(server, out var connection))
        {
            return connection;
        }

        var link = new SubscriptionLink(session);
        connection = _context.Dedicated.TryOpen(server, session.Protocol, link.OnFrame);
        if (connection is null)
        {
            if (answerErrors)
            {
                session.ReplyError(_context.Dedicated.Refusal("ERR"));
            }

            return null;
        }

        Connections[server] = connection;
        Links[server] = link;
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

        session.Touch(connection);
    }

    /// <summary>A confirmation the server never sent (its connection failed) is given anyway after the request timeout.</summary>
    private async Task ConfirmLateAsync(PendingConfirmation pending)
    {
        await Task.Delay(_context.Options.RequestTimeout).ConfigureAwait(false);
        var batch = new FlushBatch();
        pending.Force(batch);
        batch.FlushAll();
    }
}
