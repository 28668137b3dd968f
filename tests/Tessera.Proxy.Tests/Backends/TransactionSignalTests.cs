using System.Buffers;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Stats;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Tests.Backends;

/// <summary>
/// The end of a transaction on a dedicated connection as a signal: the task completes when the transaction
/// closes, and a route change that waits for it returns as soon as the EXEC is answered (a real redis-server),
/// not at its drain timeout.
/// </summary>
public sealed class TransactionSignalTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_task_completes_when_the_transaction_closes()
    {
        var signal = new TransactionSignal();
        Assert.False(signal.IsOpen);
        Assert.True(signal.Ended.IsCompleted);

        signal.Open();
        var ended = signal.Ended;
        Assert.True(signal.IsOpen);
        Assert.False(ended.IsCompleted);

        signal.Close();
        await ended.WaitAsync(Bound);
        Assert.False(signal.IsOpen);
        Assert.True(signal.Ended.IsCompleted);
    }

    [Fact]
    public async Task Pipelined_transactions_end_with_the_last_one_and_a_stray_close_changes_nothing()
    {
        var signal = new TransactionSignal();
        signal.Close();
        Assert.False(signal.IsOpen);

        signal.Open();
        signal.Open();
        var ended = signal.Ended;
        signal.Close();
        Assert.False(ended.IsCompleted);
        Assert.True(signal.IsOpen);

        signal.Close();
        await ended.WaitAsync(Bound);

        // A new transaction gets a new task; the finished one stays finished.
        signal.Open();
        Assert.False(signal.Ended.IsCompleted);
        Assert.True(ended.IsCompleted);
        signal.Close();
    }

    [Fact]
    public async Task A_route_change_waits_for_the_open_transaction_and_returns_when_its_EXEC_is_answered()
    {
        using var directory = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(directory, 1);
        string master = $"127.0.0.1:{redis[0].Port}";
        await using var pool = new BackendPool(new ProxyOptions(), TimeProvider.System, new ProxyStats());
        var routing = new RoutingState(pool);
        Assert.True(await routing.ApplyNamespaceAsync(Namespace(master, 1), Bound));

        var connection = pool.Get(master, "txn-signal").OpenDedicated(RespProtocol.Resp2);
        var batch = new FlushBatch();
        connection.Send(Command("*1\r\n$5\r\nMULTI\r\n"u8), new Answer(), batch);
        connection.Send(Command("*3\r\n$3\r\nSET\r\n$10\r\ntxn:signal\r\n$1\r\n1\r\n"u8), new Answer(), batch);
        connection.Flush();
        connection.OpenTransaction();

        // Drain timeout far above the bound: returning within the bound means the signal, not the timeout, ended the wait.
        var change = routing.ApplyNamespaceAsync(Namespace(master, 2), TimeSpan.FromMinutes(5));
        await Task.Delay(300);
        Assert.False(change.IsCompleted, "the route change must wait for the open transaction");

        var exec = new Answer(connection.CloseTransaction);
        connection.Send(Command("*1\r\n$4\r\nEXEC\r\n"u8), exec, batch);
        connection.Flush();
        Assert.True(await change.WaitAsync(Bound));
        await exec.Answered.WaitAsync(Bound);
        pool.Get(master, "txn-signal").CloseDedicated(connection);
    }

    private static NamespaceConfig Namespace(string master, long epoch) => new()
    {
        Name = "txn-signal",
        Epoch = epoch,
        Groups = [new GroupConfig { Id = 1, Master = master }],
        Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }],
    };

    private static ReadOnlySequence<byte> Command(ReadOnlySpan<byte> resp) => new(resp.ToArray());

    /// <summary>Completes on the reply; the EXEC's also closes the transaction first, as the session's EXEC request does.</summary>
    private sealed class Answer(Action? onEnd = null) : BackendRequest
    {
        private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Answered => _answered.Task;

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            onEnd?.Invoke();
            _answered.TrySetResult();
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
            onEnd?.Invoke();
            _answered.TrySetException(new InvalidOperationException(error));
        }
    }
}
