using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions;
using Tessera.Proxy.Sessions.Transactions;
using Tessera.Proxy.Stats;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Commands;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>
/// The transaction feature object alone, with no backend: its state across MULTI/EXEC/DISCARD/WATCH/UNWATCH and the
/// binding of queued commands to one slot. Redis's texts here were checked against redis-server 7.0 (CROSSSLOT in
/// cluster mode).
/// </summary>
public sealed class SessionTransactionTests
{
    private const string ExecAbort = "-EXECABORT Transaction discarded because of previous errors.\r\n";

    [Fact]
    public async Task Multi_inside_multi_is_refused_and_the_transaction_stays_open()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);
        Assert.Same(txn, SessionTransaction.Multi(session, txn));

        Assert.True(txn.InMulti);
        Assert.Equal(["+OK\r\n", "-ERR MULTI calls can not be nested\r\n"], session.Replies);
    }

    [Fact]
    public async Task Keyless_commands_are_queued_by_the_proxy_until_a_key_binds_the_transaction()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);
        Queue(session, txn, "PING");
        Queue(session, txn, "ECHO", "hi");

        Assert.Equal(["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n"], session.Replies);
        Assert.Equal(2, txn.PendingCount);
        Assert.Null(txn.Connection);
        Assert.Equal(-1, txn.Slot);
        Assert.False(txn.Aborted);
    }

    [Fact]
    public async Task Discard_drops_the_queue_and_a_second_discard_is_refused()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);
        Queue(session, txn, "PING");

        Assert.Null(SessionTransaction.Discard(session, txn, FakeSessionView.Frame("DISCARD")));
        Assert.Null(SessionTransaction.Discard(session, null, FakeSessionView.Frame("DISCARD")));
        Assert.Equal(["+OK\r\n", "+QUEUED\r\n", "+OK\r\n", "-ERR DISCARD without MULTI\r\n"], session.Replies);
    }

    [Fact]
    public async Task Keys_in_two_slots_abort_the_transaction_at_exec()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);
        Assert.NotEqual(KeySlot.Of("a"u8), KeySlot.Of("b"u8));
        Queue(session, txn, "MSET", "a", "1", "b", "2");
        Assert.True(txn.Aborted);

        Assert.Null(SessionTransaction.Exec(session, txn));
        Assert.Null(SessionTransaction.Exec(session, null));
        Assert.Equal(["+OK\r\n", "-CROSSSLOT Keys in request don't hash to the same slot\r\n", ExecAbort, "-ERR EXEC without MULTI\r\n"], session.Replies);
    }

    [Fact]
    public async Task A_key_in_a_slot_no_group_serves_aborts_the_transaction()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);
        Queue(session, txn, "SET", "k", "v");
        SessionTransaction.Exec(session, txn);

        Assert.Equal(["+OK\r\n", $"-{ClientSession.SlotNotServed(session.Routes!, KeySlot.Of("k"u8))}\r\n", ExecAbort], session.Replies);
    }

    [Fact]
    public async Task A_key_in_a_moving_slot_aborts_with_a_retryable_error()
    {
        await using var session = new FakeSessionView();
        int slot = KeySlot.Of("k"u8);
        session.Routes!.Slots[slot] = Group(session);
        session.Routes.States[slot] = SlotState.Migrating;
        var txn = SessionTransaction.Multi(session, null);
        Queue(session, txn, "SET", "k", "v");

        Assert.True(txn.Aborted);
        Assert.Equal(["+OK\r\n", $"-TRYAGAIN slot {slot} is migrating for a topology change; retry the transaction shortly\r\n"], session.Replies);
    }

    [Fact]
    public async Task A_refused_connection_aborts_the_transaction_and_binds_nothing()
    {
        await using var session = new FakeSessionView();
        session.Routes!.Slots[KeySlot.Of("k"u8)] = Group(session);
        var txn = SessionTransaction.Multi(session, null);
        Queue(session, txn, "SET", "k", "v");

        Assert.True(txn.Aborted);
        Assert.Null(txn.Connection);
        Assert.Equal(-1, txn.Slot);
        Assert.Equal(["+OK\r\n", $"-{session.Context.Dedicated.Refusal("ERR")}\r\n"], session.Replies);
    }

    [Fact]
    public async Task Wait_and_refused_commands_inside_multi_abort_it()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);
        Queue(session, txn, "WAIT", "0", "0");
        var shutdown = Queue(session, txn, "SHUTDOWN");

        Assert.Equal(CommandKind.Refused, shutdown.Kind);
        Assert.True(txn.Aborted);
        Assert.Equal(["+OK\r\n", "-ERR WAIT inside MULTI is not supported through Tessera: send WAIT after EXEC\r\n", $"-{shutdown.Refusal}\r\n"], session.Replies);
    }

    [Fact]
    public async Task Exec_of_an_empty_transaction_is_an_empty_array_and_ends_it()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);

        Assert.Null(SessionTransaction.Exec(session, txn));
        Assert.Equal(["+OK\r\n", "*0\r\n"], session.Replies);
        Assert.Empty(session.WritesNoted);
    }

    [Fact]
    public async Task Watch_inside_multi_is_refused_with_redis_text()
    {
        await using var session = new FakeSessionView();
        var txn = SessionTransaction.Multi(session, null);

        Assert.Same(txn, SessionTransaction.Watch(session, txn, FakeSessionView.Frame("WATCH", "k"), Spec(session, "WATCH", "k")));
        Assert.True(txn.InMulti);
        Assert.Equal(["+OK\r\n", "-ERR WATCH inside MULTI is not allowed\r\n"], session.Replies);
    }

    [Fact]
    public async Task A_watch_that_cannot_bind_keeps_no_transaction()
    {
        await using var session = new FakeSessionView();
        session.Routes!.Slots[KeySlot.Of("k"u8)] = Group(session);

        Assert.Null(SessionTransaction.Watch(session, null, FakeSessionView.Frame("WATCH", "k"), Spec(session, "WATCH", "k")));
        Assert.Equal([$"-{session.Context.Dedicated.Refusal("ERR")}\r\n"], session.Replies);
    }

    [Fact]
    public async Task Unwatch_with_nothing_watched_is_ok_and_keeps_the_transaction()
    {
        await using var session = new FakeSessionView();
        Assert.Null(SessionTransaction.Unwatch(session, null, FakeSessionView.Frame("UNWATCH")));

        var txn = SessionTransaction.Multi(session, null);
        Assert.Same(txn, SessionTransaction.Unwatch(session, txn, FakeSessionView.Frame("UNWATCH")));
        Assert.Equal(["+OK\r\n", "+OK\r\n", "+OK\r\n"], session.Replies);
    }

    /// <summary>Queues a command as Dispatch does inside MULTI; returns its policy.</summary>
    private static CommandPolicy Queue(FakeSessionView session, SessionTransaction txn, params string[] args)
    {
        var frame = FakeSessionView.Frame(args);
        var spec = session.Context.Policies.Table.Resolve(frame)!;
        var policy = session.Context.Policies.Get(spec);
        txn.Queue(frame, spec, policy);
        return policy;
    }

    private static CommandSpec Spec(FakeSessionView session, params string[] args) =>
        session.Context.Policies.Table.Resolve(FakeSessionView.Frame(args))!;

    private static GroupRoute Group(FakeSessionView session) =>
        new(1, new BackendServer("127.0.0.1:1", session.Context.Options, TimeProvider.System, new ProxyStats()), []);
}
