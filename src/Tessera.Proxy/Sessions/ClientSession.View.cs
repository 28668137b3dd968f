using System.Buffers;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Wait;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>The session as its feature objects see it (<see cref="ISessionView"/>): each member forwards to the session's own.</remarks>
internal sealed partial class ClientSession : ISessionView
{
    ProxyContext ISessionView.Context => _context;

    FlushBatch ISessionView.Batch => _batch;

    Reply ISessionView.EnqueueReply() => EnqueueReply();

    void ISessionView.ReplyError(string error) => ReplyError(error);

    void ISessionView.ReplyOk() => ReplyOk();

    ArrayBufferWriter<byte> ISessionView.BeginLocal() => BeginLocal();

    void ISessionView.EndLocal() => EndLocal();

    void ISessionView.Push(in ReadOnlySequence<byte> bytes, FlushBatch batch) => Push(bytes, batch);

    void ISessionView.Touch(BackendConnection connection) => Touch(connection);

    NamespaceRoutes? ISessionView.RoutesOrError() => RoutesOrError();

    void ISessionView.WatchRoutes() => _context.HeldSessions.TryAdd(this, 0);

    void ISessionView.PauseForReplies() => PauseForReplies();

    void ISessionView.PauseUntil(Task until) => PauseUntil(until);

    Task<bool> ISessionView.WaitForRepliesAsync(TimeSpan timeout, CancellationToken cancellationToken, Reply? before) =>
        WaitForRepliesAsync(timeout, cancellationToken, before);

    bool ISessionView.ClientGone => _out.IsClosed;

    ref readonly WrittenGroups ISessionView.Written => ref _written;

    BackendConnection? ISessionView.DedicatedConnection(BackendServer server) => DedicatedConnection(server);

    GroupRoute? ISessionView.SingleSlotGroup(NamespaceRoutes routes, CommandSpec spec, RequestFrame frame, out int slot) => SingleSlotGroup(routes, spec, frame, out slot);

    GroupRoute? ISessionView.FirstGroup(NamespaceRoutes routes) => FirstGroup(routes);

    void ISessionView.NoteWriteTo(GroupRoute? group) => _written.Note(group, writes: true);
}
