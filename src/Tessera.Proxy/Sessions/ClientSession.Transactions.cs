using System.Buffers;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// MULTI/EXEC/DISCARD/WATCH/UNWATCH. A transaction runs on one group over this session's dedicated
/// connection, bound by the first key it touches (WATCH or a queued command); every later key must be in
/// the same slot, else -CROSSSLOT and the transaction is discarded at EXEC (EXECABORT), as Redis Cluster
/// does. Keyless commands queued before the binding are answered QUEUED by the proxy and replayed after
/// MULTI once the group is known. EXEC checks that the slot is still online on the same group; if it moved
/// or is moving, the transaction is discarded on the backend and the client gets -TRYAGAIN, so it is never
/// half-applied on two groups. Route changes wait for an EXEC in flight (RoutingState drains it).
/// </remarks>
internal sealed partial class ClientSession
{
    private Transaction? _txn;

    private bool InMulti => _txn is { InMulti: true };

    private void RunTransaction(RequestFrame frame, CommandSpec spec)
    {
        switch (spec.Name)
        {
            case "multi":
                if (InMulti)
                {
                    ReplyError("ERR MULTI calls can not be nested");
                    return;
                }

                _txn ??= new Transaction();
                _txn.InMulti = true;
                if (_txn.Connection is { } watched)
                {
                    SendSwallowed(watched, "MULTI");
                }

                ReplyOk();
                break;
            case "exec":
                Exec();
                break;
            case "discard":
                if (!InMulti)
                {
                    ReplyError("ERR DISCARD without MULTI");
                    return;
                }

                if (_txn!.Connection is { } connection)
                {
                    Touch(connection);
                    connection.Send(frame.Data, EnqueueReply(), _batch);
                }
                else
                {
                    ReplyOk();
                }

                _txn = null;
                break;
            case "watch":
                Watch(frame, spec);
                break;
            case "unwatch":
                if (!InMulti && _txn?.Connection is { } watching)
                {
                    Touch(watching);
                    watching.Send(frame.Data, EnqueueReply(), _batch);
                    _txn = null;
                }
                else
                {
                    ReplyOk();
                }

                break;
        }
    }

    private void Watch(RequestFrame frame, CommandSpec spec)
    {
        if (InMulti)
        {
            ReplyError("ERR WATCH inside MULTI is not allowed");
            return;
        }

        if (RoutesOrError() is not { } routes || SingleSlotGroup(routes, spec, frame, out int slot) is not { } group)
        {
            return;
        }

        _txn ??= new Transaction();
        if (!Bind(group, slot))
        {
            return;
        }

        Touch(_txn.Connection!);
        _txn.Connection!.Send(frame.Data, EnqueueReply(), _batch);
    }

    /// <summary>A command inside MULTI: bound to the transaction's slot and sent on its connection (QUEUED comes from Redis).</summary>
    private void QueueInTransaction(RequestFrame frame, CommandSpec spec, CommandPolicy policy)
    {
        var txn = _txn!;
        if (policy.Kind == CommandKind.Wait)
        {
            // Redis answers WAIT inside MULTI at once, for the transaction's connection alone; across groups the
            // proxy cannot give that answer, so it refuses rather than give a wrong count.
            txn.Aborted = true;
            ReplyError("ERR WAIT inside MULTI is not supported through Tessera: send WAIT after EXEC");
            return;
        }

        if (policy.Kind == CommandKind.Refused)
        {
            txn.Aborted = true;
            ReplyError(policy.Refusal!);
            return;
        }

        if (RoutesOrError() is not { } routes)
        {
            txn.Aborted = true;
            return;
        }

        var keys = KeyIndexBuffer(frame.Count);
        int keyCount = spec.HasKeys ? KeyExtractor.GetKeyIndexes(spec, frame, keys) : 0;
        if (keyCount > 0)
        {
            int slot = KeyRouting.SlotOf(frame, keys[..keyCount]);
            if (slot == KeyRouting.CrossSlots || (txn.Slot >= 0 && txn.Slot != slot))
            {
                txn.Aborted = true;
                ReplyError(KeyRouting.CrossSlotError);
                return;
            }

            if (txn.Connection is null)
            {
                if (routes.Slots[slot] is not { } group)
                {
                    txn.Aborted = true;
                    ReplyError(SlotNotServed(routes, slot));
                    return;
                }

                if (routes.States[slot] != SlotState.Online)
                {
                    txn.Aborted = true;
                    ReplyError($"TRYAGAIN slot {slot} is {routes.States[slot].ToString().ToLowerInvariant()} for a topology change; retry the transaction shortly");
                    return;
                }

                if (!Bind(group, slot))
                {
                    txn.Aborted = true;
                    return;
                }

                SendSwallowed(txn.Connection!, "MULTI");
                ReplayPending(txn);
            }

            txn.Slot = slot;
        }

        if (txn.Connection is { } connection)
        {
            Touch(connection);
            connection.Send(frame.Data, EnqueueReply(), _batch);
        }
        else
        {
            txn.Pending.Add(frame.Data.ToArray());
            RespWriter.WriteSimpleString(BeginLocal(), "QUEUED"u8);
            EndLocal();
        }
    }

    private void Exec()
    {
        if (!InMulti)
        {
            ReplyError("ERR EXEC without MULTI");
            return;
        }

        var txn = _txn!;
        _txn = null;
        var connection = txn.Connection;
        if (txn.Aborted)
        {
            if (connection is not null)
            {
                SendSwallowed(connection, "DISCARD");
            }

            ReplyError("EXECABORT Transaction discarded because of previous errors.");
            return;
        }

        if (connection is null)
        {
            if (txn.Pending.Count == 0)
            {
                RespWriter.WriteArrayHeader(BeginLocal(), 0);
                EndLocal();
                return;
            }

            // Only keyless commands: any group can run them.
            if (RoutesOrError() is not { } keyless || FirstGroup(keyless) is not { } any || !Bind(any, -1))
            {
                return;
            }

            connection = txn.Connection!;
            SendSwallowed(connection, "MULTI");
            ReplayPending(txn);
        }
        else if (txn.Slot >= 0 && _context.Routing.Current.Find(Namespace) is { } routes
            && (!ReferenceEquals(routes.Slots[txn.Slot], txn.Group) || routes.States[txn.Slot] != SlotState.Online))
        {
            SendSwallowed(connection, "DISCARD");
            ReplyError($"TRYAGAIN slot {txn.Slot} moved while the transaction was open; nothing was applied; retry the transaction");
            return;
        }

        connection.OpenTransaction();
        Touch(connection);

        // Counted as a write whatever was queued: a read-only transaction only makes a later WAIT ask one more group.
        _written.Note(txn.Group, writes: true);
        WriteCommandOn(connection, new ExecRequest(EnqueueReply(), connection), "EXEC");
    }

    /// <summary>Binds the transaction to <paramref name="group"/>'s master over this session's dedicated connection.</summary>
    private bool Bind(GroupRoute group, int slot)
    {
        var txn = _txn!;
        if (txn.Connection is not null)
        {
            if (slot >= 0 && txn.Slot >= 0 && txn.Slot != slot)
            {
                ReplyError(KeyRouting.CrossSlotError);
                return false;
            }

            return true;
        }

        if (DedicatedConnection(group.Master) is not { } connection)
        {
            return false;
        }

        txn.Connection = connection;
        txn.Group = group;
        txn.Slot = slot;
        return true;
    }

    private void ReplayPending(Transaction txn)
    {
        foreach (var command in txn.Pending)
        {
            txn.Connection!.Send(new ReadOnlySequence<byte>(command), IgnoredRequest.Instance, _batch);
        }

        txn.Pending.Clear();
    }

    private void SendSwallowed(BackendConnection connection, string command)
    {
        Touch(connection);
        WriteCommandOn(connection, IgnoredRequest.Instance, command);
    }

    private void WriteCommandOn(BackendConnection connection, BackendRequest request, string command)
    {
        if (!connection.TryBeginWrite(out var writer, out var error))
        {
            request.OnFailure(error!, _batch);
            return;
        }

        try
        {
            RespWriter.WriteCommand(writer, command);
        }
        finally
        {
            connection.EndWrite(request);
        }
    }

    /// <summary>State of the session's open transaction (or of a WATCH before MULTI).</summary>
    private sealed class Transaction
    {
        public bool InMulti { get; set; }

        public bool Aborted { get; set; }

        public BackendConnection? Connection { get; set; }

        public GroupRoute? Group { get; set; }

        /// <summary>The slot every key must hash to; -1 until a key binds it.</summary>
        public int Slot { get; set; } = -1;

        public List<byte[]> Pending { get; } = [];
    }

    /// <summary>EXEC's reply goes to the client; then route changes no longer need to wait for this connection.</summary>
    private sealed class ExecRequest(Reply reply, BackendConnection connection) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> bytes, FlushBatch batch)
        {
            connection.CloseTransaction();
            reply.OnReply(bytes, batch);
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
            connection.CloseTransaction();
            reply.OnFailure(error, batch);
        }
    }
}
