using System.Buffers;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Tracking;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Client-side caching (CLIENT TRACKING). Redis remembers which keys a *connection* read, but the proxy
/// reads over connections shared by every session, so tracking cannot be enabled there. A session that
/// turns tracking on gets connections of its own instead — one per group master, opened when a keyed
/// command first goes there (on every master at once for BCAST, whose invalidations do not depend on
/// reads) — which say HELLO 3 and CLIENT TRACKING ON with the client's options, so Redis's invalidations
/// arrive as pushes on the same connection as the replies. From then on every keyed command of the
/// session goes over them, which also keeps the session's commands to one master in order. REDIRECT is
/// not passed to Redis: the proxy delivers invalidations itself, to this session or to the redirect
/// target (ClientSession.TrackingDelivery.cs). Whenever the servers may have forgotten what they tracked
/// (a tracking connection broke, or routes of the namespace changed) the client gets a null invalidation,
/// "flush everything", as Redis sends on FLUSHALL, so its cache can never be stale. Sessions without
/// tracking pay one null check per keyed command.
/// </remarks>
internal sealed partial class ClientSession
{
    private TrackingState? _tracking;

    private void RunTrackingCommand(RequestFrame frame, LocalCommand command)
    {
        switch (command)
        {
            case LocalCommand.ClientTracking:
                ClientTracking(frame);
                break;
            case LocalCommand.ClientCaching:
                ClientCaching(frame);
                break;
            case LocalCommand.ClientGetRedir:
                RespWriter.WriteInteger(BeginLocal(), _tracking?.Options.Redirect ?? -1);
                EndLocal();
                break;
            default:
                ClientTrackingInfo();
                break;
        }
    }

    private void ClientTracking(RequestFrame frame)
    {
        var context = _context;
        var options = TrackingOptions.Parse(frame, _tracking?.Options, context.Clients.ContainsKey, out var error);
        if (error is not null)
        {
            ReplyError(error);
            return;
        }

        if (options is null)
        {
            if (_tracking is not null)
            {
                CloseTracking();

                // Later keyed commands go back to the shared connections: let the replies owed on the tracking
                // ones arrive first so none is overtaken (as HELLO does when it switches connections).
                _pause = WaitForRepliesAsync(context.Options.RequestTimeout, CancellationToken.None);
            }

            ReplyOk();
            return;
        }

        if (Protocol == RespProtocol.Resp2 && options.Redirect == 0)
        {
            // Redis 7.0 answers OK here and then never sends anything (RESP2 has no pushes), which leaves a client
            // believing its cache is tracked. Refused instead, saying what works.
            ReplyError("ERR CLIENT TRACKING without REDIRECT needs RESP3 (send HELLO 3 first): a RESP2 connection cannot receive invalidation pushes; or use REDIRECT <id> to a connection subscribed to __redis__:invalidate");
            return;
        }

        if (Protocol == RespProtocol.Resp2)
        {
            // Tracking connections speak RESP3 (pushes arrive with the replies) and the proxy does not convert replies
            // back to RESP2; a RESP2 session would need a second, subscribed connection per master on the servers.
            ReplyError("ERR CLIENT TRACKING through Tessera needs RESP3: send HELLO 3 first (REDIRECT to a RESP2 connection subscribed to __redis__:invalidate works from a RESP3 session)");
            return;
        }

        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        bool starting = _tracking is null;
        if (starting)
        {
            _tracking = new TrackingState(options, context.Routing.Current);
            context.HeldSessions.TryAdd(this, 0);

            // Keyed commands move from the shared connections to the session's own: replies owed on the shared
            // ones arrive first, so a later command can never overtake an earlier one.
            _pause = WaitForRepliesAsync(context.Options.RequestTimeout, CancellationToken.None);
        }
        else
        {
            var tracking = _tracking!;
            tracking.Options = options;
            foreach (var link in tracking.Links.Values)
            {
                // The same options as a new link would get: Redis replaces the flags and adds the prefixes.
                link.SendEnable(_batch);
            }
        }

        if (options.Bcast)
        {
            foreach (var group in routes.Groups)
            {
                if (TrackingConnection(group.Master, out error) is null)
                {
                    if (starting)
                    {
                        CloseTracking();
                    }

                    ReplyError(error!);
                    return;
                }
            }
        }

        // OK only once every open tracking connection runs with these options (a PING behind CLIENT TRACKING ON):
        // a write the client makes after the OK, from anywhere, is then sure to be reported (BCAST needs no read).
        var links = _tracking!.Links;
        if (links.Count == 0)
        {
            ReplyOk();
            return;
        }

        var ready = new TrackingReady(EnqueueReply(), links.Count);
        foreach (var link in links.Values)
        {
            Touch(link.Connection);
            WriteCommandOn(link.Connection, ready, "PING");
        }
    }

    /// <summary>The client's OK to CLIENT TRACKING ON, given when every tracking connection has answered a PING sent behind the tracking command.</summary>
    private sealed class TrackingReady(Reply reply, int connections) : BackendRequest
    {
        private static readonly byte[] Ok = "+OK\r\n"u8.ToArray();
        private int _remaining = connections;

        public override void OnReply(in ReadOnlySequence<byte> bytes, FlushBatch batch) => Arrived(batch);

        // A connection that failed already sent the client a null invalidation; the OK still stands, as on Redis
        // a later broken connection would not take it back.
        public override void OnFailure(string error, FlushBatch batch) => Arrived(batch);

        private void Arrived(FlushBatch batch)
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                reply.Session.Complete(reply, new ReadOnlySequence<byte>(Ok), batch);
            }
        }
    }

    private void ClientCaching(RequestFrame frame)
    {
        var tracking = _tracking;
        if (tracking is null || !(tracking.Options.OptIn || tracking.Options.OptOut))
        {
            ReplyError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
            return;
        }

        if (frame.ArgEquals(2, "YES"u8))
        {
            if (!tracking.Options.OptIn)
            {
                ReplyError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
                return;
            }
        }
        else if (frame.ArgEquals(2, "NO"u8))
        {
            if (!tracking.Options.OptOut)
            {
                ReplyError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
                return;
            }
        }
        else
        {
            ReplyError("ERR syntax error");
            return;
        }

        // Applies to the next command only, as in Redis; sent right before it on the connection that serves it.
        tracking.Caching = CachingState.Armed;
        ReplyOk();
    }

    /// <summary>CLIENT TRACKINGINFO in Redis 7.0's shape: flags (a set), redirect, prefixes.</summary>
    private void ClientTrackingInfo()
    {
        var tracking = _tracking;
        var options = tracking?.Options;
        var flags = new List<string>(4) { options is null ? "off" : "on" };
        if (options is not null)
        {
            bool caching = tracking!.Caching != CachingState.None;
            if (options.Bcast)
            {
                flags.Add("bcast");
            }

            if (options.OptIn)
            {
                flags.Add("optin");
                if (caching)
                {
                    flags.Add("caching-yes");
                }
            }

            if (options.OptOut)
            {
                flags.Add("optout");
                if (caching)
                {
                    flags.Add("caching-no");
                }
            }

            if (options.NoLoop)
            {
                flags.Add("noloop");
            }

            if (tracking.RedirectBroken)
            {
                flags.Add("broken_redirect");
            }
        }

        var w = BeginLocal();
        RespWriter.WriteMapHeader(w, 3, Protocol);
        RespWriter.WriteBulkString(w, "flags"u8);
        RespWriter.WriteSetHeader(w, flags.Count, Protocol);
        foreach (var flag in flags)
        {
            RespWriter.WriteBulkString(w, flag);
        }

        RespWriter.WriteBulkString(w, "redirect"u8);
        RespWriter.WriteInteger(w, options?.Redirect ?? -1);
        RespWriter.WriteBulkString(w, "prefixes"u8);
        var prefixes = options?.Prefixes ?? [];
        RespWriter.WriteArrayHeader(w, prefixes.Count);
        foreach (var prefix in prefixes)
        {
            RespWriter.WriteBulkString(w, prefix);
        }

        EndLocal();
    }

    /// <summary>Called for every command while tracking is on: CLIENT CACHING covers exactly the command after it.</summary>
    private void AdvanceCaching(TrackingState tracking) =>
        tracking.Caching = tracking.Caching == CachingState.Armed ? CachingState.Current : CachingState.None;

    /// <summary>A keyed command of a tracking session: over the session's own connection to the group's master.</summary>
    private void ForwardTracked(GroupRoute group, RequestFrame frame)
    {
        var reply = EnqueueReply();
        if (SessionConnection(group.Master, out var error) is not { } connection)
        {
            CompleteError(reply, error!, _batch);
            return;
        }

        connection.Send(frame.Data, reply, _batch);
        Touch(connection);
    }

    /// <summary>
    /// Where this session's keyed commands (and parts of split commands) to <paramref name="server"/> go: the shared
    /// connection, or with tracking on the session's tracking connection, preceded by CLIENT CACHING when the
    /// client asked for it. Null (with <paramref name="error"/>) when a tracking connection cannot be opened.
    /// </summary>
    private BackendConnection? SessionConnection(BackendServer server, out string? error)
    {
        error = null;
        if (_tracking is not { } tracking)
        {
            return server.ConnectionFor(Id, Protocol);
        }

        if (TrackingConnection(server, out error) is not { } connection)
        {
            return null;
        }

        if (tracking.Caching == CachingState.Current)
        {
            WriteCachingCommand(connection, tracking.Options.OptIn);
        }

        return connection;
    }

    /// <summary>
    /// The connection for a command that waits for a MIGRATE first. CLIENT CACHING is not sent for it: the command goes
    /// out later from a backend thread, and the caching command could not be kept right before it. Should the tracking
    /// connection be refused (limit), the command goes untracked over the shared one; the route change that started
    /// the migration already flushed the client's cache.
    /// </summary>
    private BackendConnection MigratingConnection(BackendServer server) =>
        _tracking is not null && TrackingConnection(server, out _) is { } tracked ? tracked : server.ConnectionFor(Id, Protocol);

    /// <summary>The session's tracking connection to <paramref name="server"/>, opened on first use (counted as a dedicated connection).</summary>
    private BackendConnection? TrackingConnection(BackendServer server, out string? error)
    {
        error = null;
        var tracking = _tracking!;
        if (tracking.Links.TryGetValue(server, out var link))
        {
            return link.Connection;
        }

        link = new TrackingLink(this, tracking, $"tessera-tracking-{Id}");
        if (_context.Dedicated.TryOpenTracking(server, link, link.OnPush) is not { } connection)
        {
            error = _context.Dedicated.Refusal("TRYAGAIN");
            return null;
        }

        link.Connection = connection;
        tracking.Links[server] = link;
        return link.Connection;
    }

    private void WriteCachingCommand(BackendConnection connection, bool yes)
    {
        if (!connection.TryBeginWrite(out var writer, out _))
        {
            // Down: the command behind it fails the same way.
            return;
        }

        try
        {
            RespWriter.WriteCommand(writer, "CLIENT", "CACHING", yes ? "YES" : "NO");
        }
        finally
        {
            connection.EndWrite(IgnoredRequest.Instance);
        }
    }

    /// <summary>
    /// After a route change (called at the start of a read pass): if any slot of the namespace now has another
    /// master or state, the servers that tracked the client's reads may no longer serve them, so the client is
    /// told to flush its cache; tracking connections to servers that are no longer masters close, and BCAST opens
    /// on new masters.
    /// </summary>
    private void RefreshTracking()
    {
        if (_tracking is not { } tracking || ReferenceEquals(tracking.Snapshot, _context.Routing.Current))
        {
            return;
        }

        var previous = tracking.Snapshot.Find(Namespace);
        tracking.Snapshot = _context.Routing.Current;
        var routes = tracking.Snapshot.Find(Namespace);
        if (ReferenceEquals(previous, routes))
        {
            return;
        }

        if (previous is null || routes is null || RoutesMoved(previous, routes))
        {
            var batch = new FlushBatch();
            DeliverFlush(tracking, batch);
            batch.FlushAll();
        }

        if (routes is null)
        {
            return;
        }

        foreach (var server in tracking.Links.Keys.ToList())
        {
            if (!IsMaster(routes, server))
            {
                tracking.Links.Remove(server, out var link);
                link!.Close();
                _context.Dedicated.Close(server, link.Connection);
            }
        }

        if (tracking.Options.Bcast)
        {
            foreach (var group in routes.Groups)
            {
                // A BCAST session that cannot get a connection to a new master (limit reached) stays without
                // its invalidations until the next route change; the flush above already emptied its cache.
                _ = TrackingConnection(group.Master, out _);
            }
        }
    }

    private static bool RoutesMoved(NamespaceRoutes previous, NamespaceRoutes routes)
    {
        for (int slot = 0; slot < routes.Slots.Length; slot++)
        {
            if (!ReferenceEquals(previous.Slots[slot]?.Master, routes.Slots[slot]?.Master)
                || previous.States[slot] != routes.States[slot]
                || !ReferenceEquals(previous.Targets[slot]?.Master, routes.Targets[slot]?.Master))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsMaster(NamespaceRoutes routes, BackendServer server)
    {
        foreach (var group in routes.Groups)
        {
            if (ReferenceEquals(group.Master, server))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// HELLO 2 while tracking: the tracking connections speak RESP3 and RESP2 cannot carry pushes, so tracking ends
    /// (Redis would keep it and go silent); the client, or its REDIRECT target, is told to flush first.
    /// </summary>
    private void StopTrackingForResp2()
    {
        if (_tracking is { } tracking)
        {
            DeliverFlush(tracking, _batch);
            CloseTracking();
        }
    }

    /// <summary>Turns tracking off: closes the session's tracking connections (the servers forget what they tracked).</summary>
    private void CloseTracking()
    {
        if (_tracking is not { } tracking)
        {
            return;
        }

        _tracking = null;
        foreach (var (server, link) in tracking.Links)
        {
            link.Close();
            _context.Dedicated.Close(server, link.Connection);
        }

        tracking.Links.Clear();
    }
}
