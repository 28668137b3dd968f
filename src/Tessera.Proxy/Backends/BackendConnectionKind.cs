namespace Tessera.Proxy.Backends;

/// <summary>What a <see cref="BackendConnection"/> is for: decides how it sends, times out, matches replies and drains.</summary>
internal enum BackendConnectionKind
{
    /// <summary>
    /// Shared by every session that maps to it: requests time out, and writes wait behind replies that are due
    /// so that many sessions' commands leave in one send. Route changes drain it with a PING.
    /// </summary>
    Shared,

    /// <summary>
    /// Held by one session for blocking commands, transactions or WAIT: no request timeout (BLPOP 0 waits
    /// forever), every flush sends at once, and route changes wait for its open transaction, not for its replies.
    /// </summary>
    Dedicated,

    /// <summary>Held by one session for its subscriptions: every frame goes to the push sink; no reply is matched to a request.</summary>
    Subscribed,

    /// <summary>
    /// Held by one session for its keyed commands under client-side caching (RESP3): replies answer requests,
    /// RESP3 pushes go to the out-of-band sink, an observer restores tracking on every link. Not blocked by
    /// design, so route changes drain it like a shared connection.
    /// </summary>
    Tracking,
}
