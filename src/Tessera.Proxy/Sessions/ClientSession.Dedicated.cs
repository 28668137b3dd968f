using System.Buffers;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Connections this session holds for itself: blocking commands wait on them without stalling a shared
/// connection, and transactions keep their MULTI state there. One per server and protocol, reused by the
/// session, closed when it ends — closing is what makes Redis forget a blocked pop, so an element can
/// never be taken for a client that left.
/// </remarks>
internal sealed partial class ClientSession
{
    private Dictionary<(BackendServer Server, RespProtocol Protocol), BackendConnection>? _dedicated;

    /// <summary>This session's own connection to <paramref name="server"/>, or null (an error already answered) when the proxy's limit is reached.</summary>
    private BackendConnection? DedicatedConnection(BackendServer server)
    {
        var connection = TryDedicatedConnection(server, "ERR", out var error);
        if (connection is null)
        {
            ReplyError(error!);
        }

        return connection;
    }

    /// <summary>This session's own connection to <paramref name="server"/>, or null with the refusal (led by <paramref name="lead"/>) when the proxy's limit is reached.</summary>
    private BackendConnection? TryDedicatedConnection(BackendServer server, string lead, out string? error)
    {
        error = null;
        _dedicated ??= [];
        if (_dedicated.TryGetValue((server, Protocol), out var connection))
        {
            return connection;
        }

        connection = _context.Dedicated.TryOpen(server, Protocol);
        if (connection is null)
        {
            error = _context.Dedicated.Refusal(lead);
            return null;
        }

        _dedicated[(server, Protocol)] = connection;
        return connection;
    }

    private void CloseDedicatedConnections()
    {
        AbortWait();
        if (_dedicated is not null)
        {
            foreach (var ((server, _), connection) in _dedicated)
            {
                _context.Dedicated.Close(server, connection);
            }

            _dedicated.Clear();
        }

        CloseSubscriptions();
        CloseTracking();

        // The transaction's MULTI and WATCHes lived on the dedicated connections: it ended with them.
        _txn = null;
    }

    /// <summary>
    /// The group that must run a single-slot command on a dedicated connection, or null with the error answered:
    /// keys must share a slot, and the slot must be online (a blocked pop or a transaction cannot follow keys
    /// that are moving, so it is refused with a retryable error instead).
    /// </summary>
    private GroupRoute? SingleSlotGroup(NamespaceRoutes routes, CommandSpec spec, RequestFrame frame, out int slot)
    {
        slot = -1;
        var keys = KeyIndexBuffer(frame.Count);
        int keyCount = KeyExtractor.GetKeyIndexes(spec, frame, keys);
        if (keyCount <= 0)
        {
            return FirstGroup(routes);
        }

        slot = KeyRouting.SlotOf(frame, keys[..keyCount]);
        if (slot == KeyRouting.CrossSlots)
        {
            ReplyError(KeyRouting.CrossSlotError);
            return null;
        }

        if (routes.Slots[slot] is not { } group)
        {
            ReplyError(SlotNotServed(routes, slot));
            return null;
        }

        if (routes.States[slot] != SlotState.Online)
        {
            ReplyError($"TRYAGAIN slot {slot} is {routes.States[slot].ToString().ToLowerInvariant()} for a topology change; retry shortly");
            return null;
        }

        return group;
    }

    /// <summary>BLPOP, BZPOPMIN, XREAD BLOCK...: sent on a dedicated connection; the session reads nothing more until the reply arrives, as Redis does for a blocked client.</summary>
    private void RouteBlocking(RequestFrame frame, CommandSpec spec, bool writes)
    {
        if (RoutesOrError() is not { } routes || SingleSlotGroup(routes, spec, frame, out _) is not { } group)
        {
            return;
        }

        if (DedicatedConnection(group.Master) is not { } connection)
        {
            return;
        }

        var reply = EnqueueReply();
        _written.Note(group, writes);
        var blocked = new BlockedRequest(reply);
        connection.Send(frame.Data, blocked, _batch);
        connection.Flush();
        PauseUntil(blocked.Completed);
    }

    /// <summary>Completes the client's reply and lets the session read on.</summary>
    private sealed class BlockedRequest(Reply reply) : BackendRequest
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completed => _done.Task;

        public override void OnReply(in ReadOnlySequence<byte> bytes, FlushBatch batch)
        {
            reply.OnReply(bytes, batch);
            _done.TrySetResult();
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
            reply.OnFailure(error, batch);
            _done.TrySetResult();
        }
    }
}
