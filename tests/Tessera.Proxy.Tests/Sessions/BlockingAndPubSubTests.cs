using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Keys;
using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>Blocking commands and pub/sub on dedicated connections, on two real groups.</summary>
public sealed class BlockingAndPubSubTests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public BlockingAndPubSubTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Blpop_waits_without_stalling_other_clients_and_gets_the_pushed_element()
    {
        await using var blocked = await _cluster.ConnectAsync();
        await using var other = await _cluster.ConnectAsync();
        string list = TestKeys.OnGroup(2, "bl");
        await blocked.SendAsync("BLPOP", list, 5);

        // Other clients, even on the same group, are served while BLPOP waits.
        for (int i = 0; i < 20; i++)
        {
            Reply.Ok(await other.CallAsync("SET", TestKeys.OnGroup(2, "busy") + i, "x"));
        }

        Reply.Integer(1, await other.CallAsync("RPUSH", list, "element"));
        Assert.Equal([list, "element"], Reply.Strings(await blocked.ReadAsync()));

        // A timeout answers nil, and the session goes on.
        Assert.True((await blocked.CallAsync("BLPOP", list, "0.1")).IsNull);
        Reply.Text("PONG", await blocked.CallAsync("PING"));
        Reply.Error("CROSSSLOT", await blocked.CallAsync("BLPOP", TestKeys.OnGroup(1, "a"), TestKeys.OnGroup(2, "b"), 1));
    }

    [Fact]
    public async Task A_client_that_leaves_while_blocked_cannot_steal_an_element()
    {
        string list = TestKeys.OnGroup(1, "steal");
        var leaver = await _cluster.ConnectAsync();
        await leaver.SendAsync("BLPOP", list, 0);
        await Task.Delay(200);
        await leaver.DisposeAsync();
        await Task.Delay(300);

        await using var c = await _cluster.ConnectAsync();
        Reply.Integer(1, await c.CallAsync("RPUSH", list, "kept"));
        await Task.Delay(100);
        Reply.Integer(1, await c.CallAsync("LLEN", list));
    }

    [Fact]
    public async Task Publishers_and_subscribers_meet_across_groups_and_patterns_arrive_once()
    {
        await using var sub = await _cluster.ConnectAsync();
        await using var pub = await _cluster.ConnectAsync();
        string ch1 = TestKeys.OnGroup(1, "ch"), ch2 = TestKeys.OnGroup(2, "ch");
        await sub.SendAsync("SUBSCRIBE", ch1, ch2);
        var first = await sub.ReadAsync();
        Assert.Equal("subscribe", first.Items![0].AsString());
        Assert.Equal(ch1, first.Items[1].AsString());
        Assert.Equal(1, first.Items[2].Integer);
        var second = await sub.ReadAsync();
        Assert.Equal(2, second.Items![2].Integer);

        await sub.SendAsync("PSUBSCRIBE", "ch:*");
        Assert.Equal(3, (await sub.ReadAsync()).Items![2].Integer);
        Reply.Error("ERR Can't execute 'get'", await sub.CallAsync("GET", "x"));
        Assert.Equal("pong", (await sub.CallAsync("PING")).Items![0].AsString());

        await Task.Delay(100);
        Reply.Integer(2, await pub.CallAsync("PUBLISH", ch2, "hello")); // the channel subscriber and the pattern
        var messages = new[] { await sub.ReadAsync(), await sub.ReadAsync() };
        Assert.Contains(messages, m => m.Items![0].AsString() == "message" && m.Items[2].AsString() == "hello");
        Assert.Contains(messages, m => m.Items![0].AsString() == "pmessage" && m.Items[3].AsString() == "hello");

        var numsub = Reply.Strings(await pub.CallAsync("PUBSUB", "NUMSUB", ch1, ch2));
        Assert.Equal([ch1, "1", ch2, "1"], numsub);
        Assert.Contains(ch1, Reply.Strings(await pub.CallAsync("PUBSUB", "CHANNELS", "ch:*")));
        Reply.Integer(1, await pub.CallAsync("PUBSUB", "NUMPAT"));

        await sub.SendAsync("UNSUBSCRIBE");
        await sub.ReadAsync();
        await sub.ReadAsync();
        await sub.SendAsync("PUNSUBSCRIBE");
        Assert.Equal(0, (await sub.ReadAsync()).Items![2].Integer);
        Reply.Text("PONG", await sub.CallAsync("PING"));
    }

    [Fact]
    public async Task Keyspace_notifications_reach_pattern_subscribers()
    {
        foreach (var group in _cluster.Cluster.Groups)
        {
            await using var direct = await group.Master.ConnectAsync();
            Reply.Ok(await direct.CallAsync("CONFIG", "SET", "notify-keyspace-events", "KEA"));
        }

        await using var sub = await _cluster.ConnectAsync();
        await using var c = await _cluster.ConnectAsync();
        await sub.SendAsync("PSUBSCRIBE", "__keyspace@0__:ks:*");
        await sub.ReadAsync();
        await Task.Delay(100);
        string key = TestKeys.OnGroup(2, "ks");
        Reply.Ok(await c.CallAsync("SET", key, "v"));
        var message = await sub.ReadAsync();
        Assert.Equal("pmessage", message.Items![0].AsString());
        Assert.Equal("__keyspace@0__:" + key, message.Items[2].AsString());
        Assert.Equal("set", message.Items[3].AsString());
    }

    [Fact]
    public async Task Resp3_subscribers_get_pushes_and_can_still_run_commands()
    {
        await using var sub = await _cluster.ConnectAsync();
        await using var pub = await _cluster.ConnectAsync();
        await sub.CallAsync("HELLO", 3);
        string ch = TestKeys.OnGroup(1, "r3ch");
        await sub.SendAsync("SUBSCRIBE", ch);
        Assert.Equal(RespKind.Push, (await sub.ReadAsync()).Kind);
        Reply.Ok(await sub.CallAsync("SET", "r3:sub", "1"));
        await Task.Delay(100);
        await pub.CallAsync("PUBLISH", ch, "m");
        var push = await sub.ReadAsync();
        Assert.Equal(RespKind.Push, push.Kind);
        Assert.Equal("m", push.Items![2].AsString());
    }
}
