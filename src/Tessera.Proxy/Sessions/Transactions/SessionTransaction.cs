using System.Buffers;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Transactions;

/// <summary>
/// One session's transaction: the WATCHes before MULTI, MULTI's queue, and the slot, group and connection they are
/// bound to. Created by MULTI or WATCH, dropped when the transaction ends (EXEC, DISCARD, UNWATCH before MULTI,
/// RESET, the client leaving); session thread only.
/// </summary>
/// <remarks>
/// A transaction runs on one group over the session's dedicated connection, bound by the first key it touches
/// (WATCH or a queued command); every later key must be in the same slot, else -CROSSSLOT and the transaction is
/// discarded at EXEC (EXECABORT), as Redis Cluster does. Keyless commands queued before the binding are answered
/// QUEUED by the proxy and replayed after MULTI once the group is known. EXEC checks that the slot is still online
/// on the same group; if it moved or is moving, the transaction is discarded on the backend and the client gets
/// -TRYAGAIN, so it is never half-applied on two groups. Route changes wait for an EXEC in flight (RoutingState
/// drains it: <see cref="BackendConnection.OpenTransaction"/> until <see cref="ExecRequest"/> completes).
/// The static commands take the session's transaction (null when it has none) and return the one it has after.
/// </remarks>
internal sealed class SessionTransaction
{
    /// <summary>Key indexes of requests up to this many arguments are found on the stack.</summary>
    private const int StackKeyIndexes = 64;

    private readonly ISessionView _session;
    private readonly List<byte[]> _pending = [];

    private SessionTransaction(ISessionView session) => _session = session;

    /// <summary>True between MULTI and its EXEC or DISCARD; false while only WATCHing.</summary>
    public bool InMulti { get; private set; }

    /// <summary>A queued command was refused: EXEC discards the transaction (EXECABORT).</summary>
    public bool Aborted { get; private set; }

    /// <summary>The session's dedicated connection the transaction runs on; null until a key (or a keyless EXEC) binds it.</summary>
    public BackendConnection? Connection { get; private set; }

    public GroupRoute? Group { get; private set; }

    /// <summary>The slot every key must hash to; -1 until a key binds it.</summary>
    public int Slot { get; private set; } = -1;

    /// <summary>Keyless commands answered QUEUED by the proxy, sent once the transaction is bound.</summary>
    public int PendingCount => _pending.Count;

    public static SessionTransaction Multi(ISessionView session, SessionTransaction? txn)
    {
        if (txn is { InMulti: true })
        {
            session.ReplyError("ERR MULTI calls can not be nested");
            return txn;
        }

        txn ??= new SessionTransaction(session);
        txn.InMulti = true;
        if (txn.Connection is { } watched)
        {
            txn.SendSwallowed(watched, "MULTI");
        }

        session.ReplyOk();
        return txn;
    }

    /// <summary>EXEC: outside MULTI an error (WATCHes stay); inside it the transaction runs, or is discarded, and ends.</summary>
    public static SessionTransaction? Exec(ISessionView session, SessionTransaction? txn)
    {
        if (txn is not { InMulti: true })
        {
            session.ReplyError("ERR EXEC without MULTI");
            return txn;
        }

        txn.Exec();
        return null;
    }

    /// <summary>
    /// EXEC refused before it runs (a wrong number of arguments): as Redis, -EXECABORT naming why, and the
    /// transaction and its WATCHes end, in MULTI or not.
    /// </summary>
    public static SessionTransaction? RejectExec(ISessionView session, SessionTransaction? txn, string reason)
    {
        if (txn?.Connection is { } connection)
        {
            txn.SendSwallowed(connection, txn.InMulti ? "DISCARD" : "UNWATCH");
        }

        session.ReplyError("EXECABORT Transaction discarded because of: " + reason);
        return null;
    }

    public static SessionTransaction? Discard(ISessionView session, SessionTransaction? txn, RequestFrame frame)
    {
        if (txn is not { InMulti: true })
        {
            session.ReplyError("ERR DISCARD without MULTI");
            return txn;
        }

        if (txn.Connection is { } connection)
        {
            txn.Forward(connection, frame);
        }
        else
        {
            session.ReplyOk();
        }

        return null;
    }

    /// <summary>WATCH: binds the transaction to the keys' slot and sends WATCH on its connection; refused inside MULTI.</summary>
    public static SessionTransaction? Watch(ISessionView session, SessionTransaction? txn, RequestFrame frame, CommandSpec spec)
    {
        if (txn is { InMulti: true })
        {
            session.ReplyError("ERR WATCH inside MULTI is not allowed");
            return txn;
        }

        if (session.RoutesOrError() is not { } routes || session.SingleSlotGroup(routes, spec, frame, out int slot) is not { } group)
        {
            return txn;
        }

        // A new transaction that cannot bind holds nothing: the session keeps what it had (none).
        var watching = txn ?? new SessionTransaction(session);
        if (!watching.Bind(group, slot))
        {
            return txn;
        }

        // Sent once the client's earlier commands (on shared connections) are answered, and the session goes on once
        // WATCH is: its own writes before WATCH must not abort the transaction, and those after it must (as on Redis).
        var connection = watching.Connection!;
        var reply = session.EnqueueReply();
        byte[] watch = frame.Data.ToArray();
        session.PauseUntil(watching.InOrderAsync(connection, reply, batch => connection.Send(new ReadOnlySequence<byte>(watch), reply, batch)));
        return watching;
    }

    /// <summary>UNWATCH: before MULTI, forgets the WATCHes (on the server too) and ends the transaction; otherwise answered OK.</summary>
    public static SessionTransaction? Unwatch(ISessionView session, SessionTransaction? txn, RequestFrame frame)
    {
        if (txn is { InMulti: false, Connection: { } watching })
        {
            txn.Forward(watching, frame);
            return null;
        }

        session.ReplyOk();
        return txn;
    }

    /// <summary>A command inside MULTI: bound to the transaction's slot and sent on its connection (QUEUED comes from Redis).</summary>
    public void Queue(RequestFrame frame, CommandSpec spec, CommandPolicy policy)
    {
        if (policy.Kind == CommandKind.Wait)
        {
            // Redis answers WAIT inside MULTI at once, for the transaction's connection alone; across groups the
            // proxy cannot give that answer, so it refuses rather than give a wrong count.
            Abort("ERR WAIT inside MULTI is not supported through Tessera: send WAIT after EXEC");
            return;
        }

        if (policy.Kind == CommandKind.Refused)
        {
            Abort(policy.Refusal!);
            return;
        }

        if (_session.RoutesOrError() is not { } routes)
        {
            Aborted = true;
            return;
        }

        int slot = SlotOf(spec, frame);
        if (slot != -1 && !BindQueued(routes, slot))
        {
            return;
        }

        if (Connection is { } connection)
        {
            Forward(connection, frame);
        }
        else
        {
            _pending.Add(frame.Data.ToArray());
            RespWriter.WriteSimpleString(_session.BeginLocal(), "QUEUED"u8);
            _session.EndLocal();
        }
    }

    /// <summary>The slot of <paramref name="frame"/>'s keys: -1 when it has none, <see cref="KeyRouting.CrossSlots"/> when they differ.</summary>
    private static int SlotOf(CommandSpec spec, RequestFrame frame)
    {
        if (!spec.HasKeys)
        {
            return -1;
        }

        int[]? rented = frame.Count > StackKeyIndexes ? ArrayPool<int>.Shared.Rent(frame.Count) : null;
        Span<int> keys = rented is null ? stackalloc int[StackKeyIndexes] : rented;
        try
        {
            int keyCount = KeyExtractor.GetKeyIndexes(spec, frame, keys);
            return keyCount > 0 ? KeyRouting.SlotOf(frame, keys[..keyCount]) : -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A queued command's keys hash to <paramref name="slot"/>: binds the transaction there, or aborts it (error answered).</summary>
    private bool BindQueued(NamespaceRoutes routes, int slot)
    {
        if (slot == KeyRouting.CrossSlots || (Slot >= 0 && Slot != slot))
        {
            Abort(KeyRouting.CrossSlotError);
            return false;
        }

        if (Connection is null)
        {
            if (routes.Slots[slot] is not { } group)
            {
                Abort(ClientSession.SlotNotServed(routes, slot));
                return false;
            }

            if (routes.States[slot] != SlotState.Online)
            {
                Abort($"TRYAGAIN slot {slot} is {routes.States[slot].ToString().ToLowerInvariant()} for a topology change; retry the transaction shortly");
                return false;
            }

            if (!Bind(group, slot))
            {
                Aborted = true;
                return false;
            }

            SendSwallowed(Connection!, "MULTI");
            ReplayPending();
        }

        Slot = slot;
        return true;
    }

    private void Exec()
    {
        var connection = Connection;
        if (Aborted)
        {
            if (connection is not null)
            {
                SendSwallowed(connection, "DISCARD");
            }

            _session.ReplyError("EXECABORT Transaction discarded because of previous errors.");
            return;
        }

        if (connection is null)
        {
            if (_pending.Count == 0)
            {
                RespWriter.WriteArrayHeader(_session.BeginLocal(), 0);
                _session.EndLocal();
                return;
            }

            // Only keyless commands: any group can run them.
            if (_session.RoutesOrError() is not { } keyless || _session.FirstGroup(keyless) is not { } any || !Bind(any, -1))
            {
                return;
            }

            connection = Connection!;
            SendSwallowed(connection, "MULTI");
            ReplayPending();
        }
        else if (Slot >= 0 && _session.Context.Routing.Current.Find(_session.Namespace) is { } routes
            && (!ReferenceEquals(routes.Slots[Slot], Group) || routes.States[Slot] != SlotState.Online))
        {
            SendSwallowed(connection, "DISCARD");
            _session.ReplyError($"TRYAGAIN slot {Slot} moved while the transaction was open; nothing was applied; retry the transaction");
            return;
        }

        connection.OpenTransaction();

        // Counted as a write whatever was queued: a read-only transaction only makes a later WAIT ask one more group.
        _session.NoteWriteTo(Group);
        var reply = _session.EnqueueReply();
        _session.PauseUntil(InOrderAsync(connection, reply, batch => BackendWrites.WriteCommand(connection, new ExecRequest(reply, connection), batch, "EXEC")));
    }

    /// <summary>
    /// Sends a command on the transaction's connection (<paramref name="send"/>, answering <paramref name="reply"/>)
    /// once every earlier reply of the client has arrived, and lets the session go on once it is answered. The
    /// client's other commands travel on other (shared) connections, and Redis runs one connection's commands in
    /// order: a SET pipelined before MULTI (or WATCH) must be applied before EXEC (or WATCH) runs, and a GET pipelined
    /// after EXEC must read what it wrote. Both waits are bounded by the request timeout.
    /// </summary>
    private async Task InOrderAsync(BackendConnection connection, Reply reply, Action<FlushBatch> send)
    {
        var timeout = _session.Context.Options.RequestTimeout;
        await _session.WaitForRepliesAsync(timeout, CancellationToken.None, reply).ConfigureAwait(false);
        var batch = new FlushBatch();
        send(batch);
        connection.Flush();
        batch.FlushAll();
        await _session.WaitForRepliesAsync(timeout, CancellationToken.None, null).ConfigureAwait(false);
    }

    /// <summary>Binds the transaction to <paramref name="group"/>'s master over the session's dedicated connection.</summary>
    private bool Bind(GroupRoute group, int slot)
    {
        if (Connection is not null)
        {
            if (slot >= 0 && Slot >= 0 && Slot != slot)
            {
                _session.ReplyError(KeyRouting.CrossSlotError);
                return false;
            }

            return true;
        }

        if (_session.DedicatedConnection(group.Master) is not { } connection)
        {
            return false;
        }

        Connection = connection;
        Group = group;
        Slot = slot;
        return true;
    }

    /// <summary>
    /// A command inside MULTI refused before it could be queued (unknown, wrong number of arguments): answers
    /// <paramref name="error"/> and makes EXEC answer -EXECABORT, as Redis flags the transaction.
    /// </summary>
    public void Abort(string error)
    {
        Aborted = true;
        _session.ReplyError(error);
    }

    private void ReplayPending()
    {
        foreach (var command in _pending)
        {
            Connection!.Send(new ReadOnlySequence<byte>(command), IgnoredRequest.Instance, _session.Batch);
        }

        _pending.Clear();
    }

    /// <summary>The client's request as it is, its reply in the session's order.</summary>
    private void Forward(BackendConnection connection, RequestFrame frame)
    {
        _session.Touch(connection);
        connection.Send(frame.Data, _session.EnqueueReply(), _session.Batch);
    }

    private void SendSwallowed(BackendConnection connection, string command)
    {
        _session.Touch(connection);
        BackendWrites.WriteCommand(connection, IgnoredRequest.Instance, _session.Batch, command);
    }
}
