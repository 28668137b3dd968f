using System.Buffers;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Tracking;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Client-side caching (CLIENT TRACKING): the session's <see cref="SessionTracking"/>, created by CLIENT TRACKING ON
/// (Tracking/SessionTracking.cs). While it exists every keyed command of the session goes over the session's own
/// tracking connections; sessions without tracking pay one null check per keyed command.
/// </remarks>
internal sealed partial class ClientSession
{
    private SessionTracking? _tracking;

    private void RunTrackingCommand(RequestFrame frame, LocalCommand command)
    {
        switch (command)
        {
            case LocalCommand.ClientTracking:
                _tracking = SessionTracking.Command(this, _tracking, frame);
                break;
            case LocalCommand.ClientCaching:
                SessionTracking.CachingCommand(this, _tracking, frame);
                break;
            case LocalCommand.ClientGetRedir:
                SessionTracking.GetRedir(this, _tracking);
                break;
            default:
                SessionTracking.Info(this, _tracking);
                break;
        }
    }

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
        if (_tracking is { } tracking)
        {
            return tracking.ConnectionFor(server, out error);
        }

        error = null;
        return server.ConnectionFor(Id, Protocol);
    }

    /// <summary>
    /// The connection for a command that waits for a MIGRATE first. CLIENT CACHING is not sent for it: the command goes
    /// out later from a backend thread, and the caching command could not be kept right before it. Should the tracking
    /// connection be refused (limit), the command goes untracked over the shared one; the route change that started
    /// the migration already flushed the client's cache.
    /// </summary>
    private BackendConnection MigratingConnection(BackendServer server) =>
        _tracking?.Connection(server, out _) ?? server.ConnectionFor(Id, Protocol);

    /// <summary>After a route change (start of a read pass): the client flushes its cache if routes moved; connections follow the masters.</summary>
    private void RefreshTracking() => _tracking?.Refresh();

    /// <summary>HELLO 2 while tracking: tracking ends, the client (or its REDIRECT target) told to flush first.</summary>
    private void StopTrackingForResp2()
    {
        _tracking?.StopForResp2();
        _tracking = null;
    }

    /// <summary>Turns tracking off: closes the session's tracking connections (the servers forget what they tracked).</summary>
    private void CloseTracking()
    {
        _tracking?.Close();
        _tracking = null;
    }

    /// <summary>An invalidation for a session that is another's REDIRECT target (backend thread).</summary>
    internal void ReceiveRedirected(in ReadOnlySequence<byte> push, FlushBatch batch) =>
        SessionTracking.ReceiveRedirected(this, _pubsub is { Any: true }, push, batch);
}
