using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Tracking;

/// <summary>
/// One session's client-side caching (CLIENT TRACKING): its options and its own connection to each master.
/// Created by CLIENT TRACKING ON, dropped by OFF; session thread only, except delivery (SessionTracking.Delivery.cs).
/// </summary>
/// <remarks>
/// Redis remembers which keys a *connection* read, but the proxy reads over connections shared by every session,
/// so tracking cannot be enabled there. A session that turns tracking on gets connections of its own instead —
/// one per group master, opened when a keyed command first goes there (on every master at once for BCAST, whose
/// invalidations do not depend on reads) — which say HELLO 3 and CLIENT TRACKING ON with the client's options, so
/// Redis's invalidations arrive as pushes on the same connection as the replies. From then on every keyed command
/// of the session goes over them, which also keeps the session's commands to one master in order. REDIRECT is not
/// passed to Redis: the proxy delivers invalidations itself, to this session or to the redirect target. Whenever
/// the servers may have forgotten what they tracked (a tracking connection broke, or routes of the namespace
/// changed) the client gets a null invalidation, "flush everything", as Redis sends on FLUSHALL, so its cache can
/// never be stale. Sessions without tracking pay one null check per keyed command.
/// </remarks>
internal sealed partial class SessionTracking
{
    private readonly ISessionView _session;
    private readonly ProxyContext _context;
    private volatile TrackingOptions _options;
    private volatile bool _redirectBroken;

    private SessionTracking(ISessionView session, TrackingOptions options, RoutingSnapshot snapshot)
    {
        _session = session;
        _context = session.Context;
        _options = options;
        Snapshot = snapshot;
    }

    /// <summary>Written by the session, read by backend threads when a link (re)starts.</summary>
    public TrackingOptions Options
    {
        get => _options;
        private set
        {
            _options = value;
            _redirectBroken = false;
        }
    }

    /// <summary>Set when an invalidation found its REDIRECT target gone (CLIENT TRACKINGINFO: broken_redirect).</summary>
    public bool RedirectBroken => _redirectBroken;

    /// <summary>What CLIENT CACHING YES|NO is doing for the next command.</summary>
    public CachingState Caching { get; private set; }

    /// <summary>Tracking connections by master; session thread only.</summary>
    private Dictionary<BackendServer, TrackingLink> Links { get; } = [];

    /// <summary>The routes the connections were checked against last.</summary>
    private RoutingSnapshot Snapshot { get; set; }

    /// <summary>
    /// CLIENT TRACKING ON|OFF [options]: answers the client and returns the session's tracking from now on, null when
    /// off (<paramref name="tracking"/> is the current one, null when off).
    /// </summary>
    public static SessionTracking? Command(ISessionView session, SessionTracking? tracking, RequestFrame frame)
    {
        var context = session.Context;
        var options = TrackingOptions.Parse(frame, tracking?.Options, context.Clients.ContainsKey, out var error);
        if (error is not null)
        {
            session.ReplyError(error);
            return tracking;
        }

        if (options is null)
        {
            if (tracking is not null)
            {
                tracking.Close();

                // Later keyed commands go back to the shared connections: let the replies owed on the tracking
                // ones arrive first so none is overtaken (as HELLO does when it switches connections).
                session.PauseForReplies();
            }

            session.ReplyOk();
            return null;
        }

        if (session.Protocol == RespProtocol.Resp2 && options.Redirect == 0)
        {
            // Redis 7.0 answers OK here and then never sends anything (RESP2 has no pushes), which leaves a client
            // believing its cache is tracked. Refused instead, saying what works.
            session.ReplyError("ERR CLIENT TRACKING without REDIRECT needs RESP3 (send HELLO 3 first): a RESP2 connection cannot receive invalidation pushes; or use REDIRECT <id> to a connection subscribed to __redis__:invalidate");
            return tracking;
        }

        if (session.Protocol == RespProtocol.Resp2)
        {
            // Tracking connections speak RESP3 (pushes arrive with the replies) and the proxy does not convert replies
            // back to RESP2; a RESP2 session would need a second, subscribed connection per master on the servers.
            session.ReplyError("ERR CLIENT TRACKING through Tessera needs RESP3: send HELLO 3 first (REDIRECT to a RESP2 connection subscribed to __redis__:invalidate works from a RESP3 session)");
            return tracking;
        }

        if (session.RoutesOrError() is not { } routes)
        {
            return tracking;
        }

        bool starting = tracking is null;
        if (tracking is null)
        {
            tracking = new SessionTracking(session, options, context.Routing.Current);
            session.WatchRoutes();

            // Keyed commands move from the shared connections to the session's own: replies owed on the shared
            // ones arrive first, so a later command can never overtake an earlier one.
            session.PauseForReplies();
        }
        else
        {
            tracking.Options = options;
            foreach (var link in tracking.Links.Values)
            {
                // The same options as a new link would get: Redis replaces the flags and adds the prefixes.
                link.SendEnable(session.Batch);
            }
        }

        return tracking.Enable(routes, starting) ? tracking : null;
    }

    /// <summary>Opens what BCAST needs, then answers OK once every open tracking connection runs with the options; false if tracking could not start.</summary>
    private bool Enable(NamespaceRoutes routes, bool starting)
    {
        if (Options.Bcast)
        {
            foreach (var group in routes.Groups)
            {
                if (Connection(group.Master, out var error) is null)
                {
                    if (starting)
                    {
                        Close();
                    }

                    _session.ReplyError(error!);
                    return !starting;
                }
            }
        }

        // OK only once every open tracking connection runs with these options (a PING behind CLIENT TRACKING ON):
        // a write the client makes after the OK, from anywhere, is then sure to be reported (BCAST needs no read).
        if (Links.Count == 0)
        {
            _session.ReplyOk();
            return true;
        }

        var ready = new TrackingReady(_session.EnqueueReply(), Links.Count);
        foreach (var link in Links.Values)
        {
            _session.Touch(link.Connection);
            BackendWrites.WriteCommand(link.Connection, ready, _session.Batch, "PING");
        }

        return true;
    }

    /// <summary>Called for every command while tracking is on: CLIENT CACHING covers exactly the command after it.</summary>
    public void AdvanceCaching()
    {
        if (Caching != CachingState.None)
        {
            Caching = Caching == CachingState.Armed ? CachingState.Current : CachingState.None;
        }
    }

    /// <summary>
    /// The tracking connection for a keyed command to <paramref name="server"/>, preceded by CLIENT CACHING when the
    /// client asked for it. Null (with <paramref name="error"/>) when the connection cannot be opened.
    /// </summary>
    public BackendConnection? ConnectionFor(BackendServer server, out string? error)
    {
        if (Connection(server, out error) is not { } connection)
        {
            return null;
        }

        if (Caching == CachingState.Current)
        {
            BackendWrites.WriteCommand(connection, IgnoredRequest.Instance, _session.Batch, "CLIENT", "CACHING", Options.OptIn ? "YES" : "NO");
        }

        return connection;
    }

    /// <summary>The session's tracking connection to <paramref name="server"/>, opened on first use (counted as a dedicated connection).</summary>
    public BackendConnection? Connection(BackendServer server, out string? error)
    {
        error = null;
        if (Links.TryGetValue(server, out var link))
        {
            return link.Connection;
        }

        link = new TrackingLink(this, $"tessera-tracking-{_session.Id}");
        if (_context.Dedicated.TryOpenTracking(server, link, link.OnPush) is not { } connection)
        {
            error = _context.Dedicated.Refusal("TRYAGAIN");
            return null;
        }

        link.Connection = connection;
        Links[server] = link;
        return link.Connection;
    }

    /// <summary>
    /// After a route change (called at the start of a read pass): if any slot of the namespace now has another
    /// master or state, the servers that tracked the client's reads may no longer serve them, so the client is
    /// told to flush its cache; tracking connections to servers that are no longer masters close, and BCAST opens
    /// on new masters.
    /// </summary>
    public void Refresh()
    {
        if (ReferenceEquals(Snapshot, _context.Routing.Current))
        {
            return;
        }

        var previous = Snapshot.Find(_session.Namespace);
        Snapshot = _context.Routing.Current;
        var routes = Snapshot.Find(_session.Namespace);
        if (ReferenceEquals(previous, routes))
        {
            return;
        }

        if (previous is null || routes is null || RoutesMoved(previous, routes))
        {
            var batch = new FlushBatch();
            DeliverFlush(batch);
            batch.FlushAll();
        }

        if (routes is null)
        {
            return;
        }

        foreach (var server in Links.Keys.ToList())
        {
            if (!IsMaster(routes, server))
            {
                Links.Remove(server, out var link);
                CloseLink(server, link!);
            }
        }

        if (Options.Bcast)
        {
            foreach (var group in routes.Groups)
            {
                // A BCAST session that cannot get a connection to a new master (limit reached) stays without
                // its invalidations until the next route change; the flush above already emptied its cache.
                _ = Connection(group.Master, out _);
            }
        }
    }

    /// <summary>
    /// HELLO 2 while tracking: the tracking connections speak RESP3 and RESP2 cannot carry pushes, so tracking ends
    /// (Redis would keep it and go silent); the client, or its REDIRECT target, is told to flush first.
    /// </summary>
    public void StopForResp2()
    {
        DeliverFlush(_session.Batch);
        Close();
    }

    /// <summary>Turns tracking off: closes the session's tracking connections (the servers forget what they tracked).</summary>
    public void Close()
    {
        foreach (var (server, link) in Links)
        {
            CloseLink(server, link);
        }

        Links.Clear();
    }

    private void CloseLink(BackendServer server, TrackingLink link)
    {
        link.Close();
        _context.Dedicated.Close(server, link.Connection);
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
}

/// <summary>What CLIENT CACHING YES|NO is doing: armed by it, current for the command right after it.</summary>
internal enum CachingState
{
    None,
    Armed,
    Current,
}
