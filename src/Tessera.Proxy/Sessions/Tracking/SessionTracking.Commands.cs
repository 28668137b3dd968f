using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Tracking;

/// <remarks>CLIENT CACHING, CLIENT TRACKINGINFO and CLIENT GETREDIR, answered for a session with tracking or without it (null).</remarks>
internal sealed partial class SessionTracking
{
    public static void GetRedir(ISessionView session, SessionTracking? tracking)
    {
        RespWriter.WriteInteger(session.BeginLocal(), tracking?.Options.Redirect ?? -1);
        session.EndLocal();
    }

    /// <summary>CLIENT CACHING YES|NO: applies to the next command only, as in Redis; sent right before it on the connection that serves it.</summary>
    public static void CachingCommand(ISessionView session, SessionTracking? tracking, RequestFrame frame)
    {
        if (tracking is null || !(tracking.Options.OptIn || tracking.Options.OptOut))
        {
            session.ReplyError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
            return;
        }

        if (frame.ArgEquals(2, "YES"u8))
        {
            if (!tracking.Options.OptIn)
            {
                session.ReplyError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
                return;
            }
        }
        else if (frame.ArgEquals(2, "NO"u8))
        {
            if (!tracking.Options.OptOut)
            {
                session.ReplyError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
                return;
            }
        }
        else
        {
            session.ReplyError("ERR syntax error");
            return;
        }

        tracking.Caching = CachingState.Armed;
        session.ReplyOk();
    }

    /// <summary>CLIENT TRACKINGINFO in Redis 7.0's shape: flags (a set), redirect, prefixes.</summary>
    public static void Info(ISessionView session, SessionTracking? tracking)
    {
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

        var protocol = session.Protocol;
        var w = session.BeginLocal();
        RespWriter.WriteMapHeader(w, 3, protocol);
        RespWriter.WriteBulkString(w, "flags"u8);
        RespWriter.WriteSetHeader(w, flags.Count, protocol);
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

        session.EndLocal();
    }
}
