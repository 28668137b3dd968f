using System.Diagnostics;
using System.Globalization;
using Tessera.Proxy;
using Tessera.Local.Networking;
using Tessera.Model.Topology;
using Tessera.Proxy.Hosting;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Client;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>
/// Two real groups, each a master with one real replica, behind a proxy with one shared connection per server
/// (so a WAIT blocking a shared connection would stall every other client) and room for two WAIT connections.
/// </summary>
public sealed class WaitCluster : IAsyncLifetime
{
    public ProxyCluster Inner { get; } = new(2, 1, new ProxyOptions { ConnectionsPerBackend = 1, MaxDedicatedConnections = 2 });

    public Task InitializeAsync() => Inner.InitializeAsync();

    public Task DisposeAsync() => Inner.DisposeAsync();
}

/// <summary>WAIT through the proxy: counts per written group, timeouts, Redis's argument errors, clients that leave.</summary>
public sealed class WaitTests : IClassFixture<WaitCluster>
{
    private readonly ProxyCluster _cluster;

    public WaitTests(WaitCluster cluster) => _cluster = cluster.Inner;

    [Fact]
    public async Task Wait_after_writes_on_both_groups_answers_the_replicas_that_have_them()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("SET", TestKeys.OnGroup(1, "w1"), "a"));
        Reply.Ok(await c.CallAsync("SET", TestKeys.OnGroup(2, "w2"), "b"));
        Reply.Integer(1, await c.CallAsync("WAIT", 1, 2000));

        // Pipelined: WAIT comes after the replies to the writes before it, and the GET after it waits for it.
        await c.SendAsync("MSET", TestKeys.OnGroup(1, "w3"), "c", TestKeys.OnGroup(2, "w4"), "d");
        await c.SendAsync("WAIT", 1, 2000);
        await c.SendAsync("GET", TestKeys.OnGroup(2, "w4"));
        Reply.Ok(await c.ReadAsync());
        Reply.Integer(1, await c.ReadAsync());
        Reply.Text("d", await c.ReadAsync());

        // One replica per group: asking for two times out with the one that acknowledged.
        var clock = Stopwatch.StartNew();
        Reply.Integer(1, await c.CallAsync("WAIT", 2, 200));
        Assert.InRange(clock.ElapsedMilliseconds, 150, 3000);

        // The writes did reach the replicas.
        await using var replica = await _cluster.Cluster.Groups.Single(g => g.Id == 2).Replicas[0].ConnectAsync(TimeSpan.FromSeconds(10));
        Reply.Text("d", await replica.CallAsync("GET", TestKeys.OnGroup(2, "w4")));
    }

    [Fact]
    public async Task A_frozen_replica_makes_wait_time_out_while_other_clients_go_on()
    {
        await using var c = await _cluster.ConnectAsync();
        await using var other = await _cluster.ConnectAsync();
        string onFrozen = TestKeys.OnGroup(2, "fz");
        Reply.Ok(await c.CallAsync("SET", TestKeys.OnGroup(1, "fz"), "1"));
        int replica = _cluster.Cluster.Groups.Single(g => g.Id == 2).Replicas[0].Pid;
        ProcessProbe.Signal(replica, "STOP");
        try
        {
            Reply.Ok(await c.CallAsync("SET", onFrozen, "2"));
            var clock = Stopwatch.StartNew();
            Reply.Integer(0, await c.CallAsync("WAIT", 1, 300));
            Assert.InRange(clock.ElapsedMilliseconds, 280, 3000);

            // While a long WAIT blocks on group 2's master, other clients use the same (only) shared connection to it.
            clock.Restart();
            await c.SendAsync("WAIT", 1, 1500);
            await c.SendAsync("GET", onFrozen);
            await Task.Delay(100);
            for (int i = 0; i < 5; i++)
            {
                var op = Stopwatch.StartNew();
                Reply.Text("PONG", await other.CallAsync("PING"));
                Reply.Text("2", await other.CallAsync("GET", onFrozen));
                Reply.Ok(await other.CallAsync("SET", onFrozen + ":other", i));
                Assert.True(op.ElapsedMilliseconds < 500, $"a client beside the WAIT took {op.ElapsedMilliseconds} ms for PING+GET+SET");
            }

            Assert.True(clock.ElapsedMilliseconds < 1400, $"the other client's commands ended only after {clock.ElapsedMilliseconds} ms, near the WAIT's timeout");
            Reply.Integer(0, await c.ReadAsync());
            Assert.True(clock.ElapsedMilliseconds >= 1400, $"WAIT 1 1500 answered after {clock.ElapsedMilliseconds} ms");
            Reply.Text("2", await c.ReadAsync());
        }
        finally
        {
            ProcessProbe.Signal(replica, "CONT");
        }

        // Thawed, the replica catches up and WAIT counts it again.
        Reply.Integer(1, await c.CallAsync("WAIT", 1, 5000));
    }

    [Fact]
    public async Task Writes_to_one_group_wait_on_that_group_only()
    {
        await using var c = await _cluster.ConnectAsync();
        int replica = _cluster.Cluster.Groups.Single(g => g.Id == 2).Replicas[0].Pid;
        ProcessProbe.Signal(replica, "STOP");
        try
        {
            Reply.Ok(await c.CallAsync("SET", TestKeys.OnGroup(1, "only1"), "x"));
            var clock = Stopwatch.StartNew();
            Reply.Integer(1, await c.CallAsync("WAIT", 1, 3000));
            Assert.True(clock.ElapsedMilliseconds < 2000, $"WAIT after a write to group 1 alone took {clock.ElapsedMilliseconds} ms: it waited on group 2");

            // Scripts count as writes: EVAL on group 2 makes WAIT ask group 2, whose replica is frozen.
            Assert.Equal(1, (await c.CallAsync("EVAL", "return redis.call('INCR', KEYS[1])", 1, TestKeys.OnGroup(2, "only2"))).Integer);
            Reply.Integer(0, await c.CallAsync("WAIT", 1, 200));
        }
        finally
        {
            ProcessProbe.Signal(replica, "CONT");
        }
    }

    [Fact]
    public async Task Wait_without_writes_answers_the_connected_replicas_like_redis()
    {
        await using var c = await _cluster.ConnectAsync();
        var clock = Stopwatch.StartNew();
        Reply.Integer(1, await c.CallAsync("WAIT", 1, 5000));
        Assert.True(clock.ElapsedMilliseconds < 2000, $"WAIT with nothing written took {clock.ElapsedMilliseconds} ms");
        Reply.Integer(1, await c.CallAsync("WAIT", 0, 0));
        Reply.Integer(1, await c.CallAsync("WAIT", -1, 0));

        // The same answers as fresh connections straight to a master (fresh: on Redis, a WAIT that blocked moves
        // its connection's offset past the REPLCONF GETACK it sent, so a later WAIT there may answer less).
        foreach (int numReplicas in new[] { 1, 0, -1 })
        {
            await using var direct = await _cluster.ConnectToMasterAsync(1);
            Reply.Integer(1, await direct.CallAsync("WAIT", numReplicas, 5000));
        }

        // Reads are not writes.
        Assert.True((await c.CallAsync("GET", TestKeys.OnGroup(1, "nothing"))).IsNull);
        clock.Restart();
        Reply.Integer(1, await c.CallAsync("WAIT", 2, 200));
        Assert.InRange(clock.ElapsedMilliseconds, 150, 3000);
    }

    [Theory]
    [InlineData("WAIT", "x", "0")]
    [InlineData("WAIT", "1", "x")]
    [InlineData("WAIT", "1", "-1")]
    [InlineData("WAIT", "-1", "-1")]
    [InlineData("WAIT", "1.5", "0")]
    [InlineData("WAIT", "1", "1.5")]
    [InlineData("WAIT", "1")]
    [InlineData("WAIT", "1", "0", "extra")]
    public async Task Invalid_arguments_get_the_same_error_as_from_redis(params string[] args)
    {
        await using var c = await _cluster.ConnectAsync();
        await using var direct = await _cluster.ConnectToMasterAsync(1);
        var expected = await direct.CallAsync(args);
        var actual = await c.CallAsync(args);
        Assert.True(expected.IsError, $"redis-server accepted {string.Join(' ', args)}: {expected}");
        Assert.True(actual.IsError && actual.AsString() == expected.AsString(), $"{string.Join(' ', args)}: redis says {expected}, the proxy says {actual}");
        Reply.Text("PONG", await c.CallAsync("PING"));
    }

    [Fact]
    public async Task Wait_inside_multi_is_refused_and_aborts_the_transaction()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("SET", "{wm}k", "1"));
        Reply.Error("ERR WAIT inside MULTI is not supported through Tessera", await c.CallAsync("WAIT", 1, 0));
        Reply.Error("EXECABORT", await c.CallAsync("EXEC"));
        Reply.Integer(0, await c.CallAsync("EXISTS", "{wm}k"));
    }

    [Fact]
    public async Task A_client_leaving_during_an_endless_wait_frees_its_connections()
    {
        int[] replicas = _cluster.Cluster.Groups.Select(g => g.Replicas[0].Pid).ToArray();
        var leaver = await _cluster.ConnectAsync();
        try
        {
            foreach (int pid in replicas)
            {
                ProcessProbe.Signal(pid, "STOP");
            }

            Reply.Ok(await leaver.CallAsync("SET", TestKeys.OnGroup(1, "leave"), "1"));
            Reply.Ok(await leaver.CallAsync("SET", TestKeys.OnGroup(2, "leave"), "1"));
            await leaver.SendAsync("WAIT", 1, 0);

            // Both masters hold a blocked WAIT for it (the proxy's two WAIT connections, its whole allowance)...
            await WaitUntilAsync(async () => await BlockedWaitsAsync(1) == 1 && await BlockedWaitsAsync(2) == 1, "both masters to block a WAIT");
            await using (var meanwhile = await _cluster.ConnectAsync())
            {
                Reply.Error("ERR WAIT needs a connection of its own", await meanwhile.CallAsync("WAIT", 0, 0));
            }

            // ...until the client goes: then the servers drop them and the proxy can open WAIT connections again.
            await leaver.DisposeAsync();
            await WaitUntilAsync(async () => await BlockedWaitsAsync(1) == 0 && await BlockedWaitsAsync(2) == 0, "the masters to drop the WAITs of the client that left");
            await using var next = await _cluster.ConnectAsync();
            var answer = await next.CallAsync("WAIT", 0, 0);
            for (var clock = Stopwatch.StartNew(); answer.IsError && clock.Elapsed < TimeSpan.FromSeconds(5); answer = await next.CallAsync("WAIT", 0, 0))
            {
                await Task.Delay(50);
            }

            Reply.Integer(1, answer);
        }
        finally
        {
            foreach (int pid in replicas)
            {
                ProcessProbe.Signal(pid, "CONT");
            }

            await leaver.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_master_that_cannot_be_reached_is_named_in_the_error()
    {
        // Point group 2 at a port nobody listens on (as a route change would), then put it back.
        var ns = _cluster.Cluster.Topology.Namespaces[0];
        string dead = "127.0.0.1:" + FreePort.Find().ToString(CultureInfo.InvariantCulture);
        long epoch = _cluster.Proxy.Epoch;
        _cluster.Proxy.ApplyTopology(new TopologyConfig
        {
            Epoch = epoch + 1,
            Namespaces = [ns with { Epoch = epoch + 1, Groups = ns.Groups.Select(g => g.Id == 2 ? g with { Master = dead, Replicas = [] } : g).ToList() }],
        });
        try
        {
            await using var c = await _cluster.ConnectAsync();
            Reply.Ok(await c.CallAsync("SET", TestKeys.OnGroup(1, "dead"), "1"));
            Reply.Error("ERR", await c.CallAsync("SET", TestKeys.OnGroup(2, "dead"), "1"));
            var reply = await c.CallAsync("WAIT", 1, 1000);
            Assert.True(reply.IsError && reply.AsString()!.Contains(dead, StringComparison.Ordinal), $"expected an error naming {dead}, got {reply}");
            Reply.Text("PONG", await c.CallAsync("PING"));
        }
        finally
        {
            _cluster.Proxy.ApplyTopology(new TopologyConfig { Epoch = epoch + 2, Namespaces = [ns with { Epoch = epoch + 2 }] });
        }

        await using var after = await _cluster.ConnectAsync();
        Reply.Ok(await after.CallAsync("SET", TestKeys.OnGroup(2, "dead"), "1"));
        Reply.Integer(1, await after.CallAsync("WAIT", 1, 5000));
    }

    /// <summary>Clients of group <paramref name="groupId"/>'s master currently blocked in WAIT (from CLIENT LIST).</summary>
    private async Task<int> BlockedWaitsAsync(int groupId)
    {
        await using var master = await _cluster.ConnectToMasterAsync(groupId);
        string list = (await master.CallAsync("CLIENT", "LIST")).AsString()!;
        return list.Split('\n').Count(line => line.Contains(" cmd=wait ", StringComparison.Ordinal) && line.Contains(" flags=b ", StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
