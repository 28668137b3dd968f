using Tessera.Resp.Client;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>Two namespaces with the same key names on different groups never see each other's data, through any command.</summary>
public sealed class TenantIsolationTests
{
    [Fact]
    public async Task Keys_fan_outs_and_scripts_stay_inside_the_namespace()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));

        Reply.Ok(await alpha.CallAsync("SET", "shared", "from-alpha"));
        Reply.Ok(await alpha.CallAsync("MSET", "a1", "x", "a2", "y"));
        Reply.Ok(await beta.CallAsync("SET", "shared", "from-beta"));

        Reply.Text("from-alpha", await alpha.CallAsync("GET", "shared"));
        Reply.Text("from-beta", await beta.CallAsync("GET", "shared"));
        Assert.Equal(["from-alpha", "x", "(nil)"], Reply.Strings(await alpha.CallAsync("MGET", "shared", "a1", "b1")));
        Assert.Equal(["shared"], Reply.Strings(await beta.CallAsync("KEYS", "*")));
        Reply.Integer(3, await alpha.CallAsync("DBSIZE"));
        Reply.Integer(1, await beta.CallAsync("DBSIZE"));
        Reply.Integer(0, await beta.CallAsync("EXISTS", "a1", "a2"));
        var scan = await beta.CallAsync("SCAN", "0", "COUNT", "100");
        Assert.Equal(["shared"], Reply.Strings(scan.Items![1]));
        Reply.Text("shared", await beta.CallAsync("RANDOMKEY"));
        Reply.Text("from-beta", await beta.CallAsync("EVAL", "return redis.call('GET', KEYS[1])", "1", "shared"));

        // Functions and scripts live on the namespace's own servers.
        Reply.Text("alib", await alpha.CallAsync("FUNCTION", "LOAD", "#!lua name=alib\nredis.register_function('afn', function() return 'alpha' end)"));
        Reply.Text("alpha", await alpha.CallAsync("FCALL", "afn", "0"));
        Reply.Error("ERR Function not found", await beta.CallAsync("FCALL", "afn", "0"));
        Assert.Empty((await beta.CallAsync("FUNCTION", "LIST")).Items!);

        // DEL of every name in beta leaves alpha's keys.
        Reply.Integer(1, await beta.CallAsync("DEL", "shared", "a1", "a2"));
        Reply.Text("from-alpha", await alpha.CallAsync("GET", "shared"));

        // And on the servers themselves: each namespace's keys are on its own group only.
        await using var alphaServer = await cluster.Redis[0].ConnectAsync(TimeSpan.FromSeconds(5));
        await using var betaServer = await cluster.Redis[1].ConnectAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("from-alpha", (await alphaServer.CallAsync("GET", "shared")).AsString());
        Assert.Equal(0, (await betaServer.CallAsync("DBSIZE")).Integer);
    }

    [Fact]
    public async Task Pub_sub_messages_do_not_cross_namespaces()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alphaPassword = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var betaPassword = await cluster.AddUserAsync(TenantCluster.Beta, "app");
        var betaSubscriber = await cluster.LoginAsync(TenantCluster.Beta, betaPassword);
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, alphaPassword);
        var beta = await cluster.LoginAsync(TenantCluster.Beta, betaPassword);

        Assert.Equal(["subscribe", "news", "1"], Reply.Strings(await betaSubscriber.CallAsync("SUBSCRIBE", "news")));
        Reply.Integer(0, await alpha.CallAsync("PUBLISH", "news", "alpha-secret"));
        Assert.Equal(["news"], Reply.Strings(await beta.CallAsync("PUBSUB", "CHANNELS")));
        Assert.Empty(Reply.Strings(await alpha.CallAsync("PUBSUB", "CHANNELS")));
        Reply.Integer(1, await beta.CallAsync("PUBLISH", "news", "beta-news"));

        // The first message the subscriber gets is beta's own: alpha's never reached it.
        Assert.Equal(["message", "news", "beta-news"], Reply.Strings((await betaSubscriber.ReadAsync(TimeSpan.FromSeconds(10)))!));
    }

    [Fact]
    public async Task Tracking_invalidations_come_only_from_the_clients_own_namespace()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alphaPassword = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var betaPassword = await cluster.AddUserAsync(TenantCluster.Beta, "app");
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, alphaPassword);
        var beta = await cluster.LoginAsync(TenantCluster.Beta, betaPassword);
        var tracked = await cluster.ConnectAsync();
        Assert.True((await tracked.CallAsync("HELLO", "3", "AUTH", TenantCluster.Beta, betaPassword)).IsAggregate);
        Reply.Ok(await tracked.CallAsync("CLIENT", "TRACKING", "ON"));
        Assert.True((await tracked.CallAsync("GET", "cached")).IsNull);

        Reply.Ok(await alpha.CallAsync("SET", "cached", "alpha-write"));
        Reply.Ok(await beta.CallAsync("SET", "cached", "beta-write"));

        // The first push the tracked client receives is for beta's write.
        var push = await tracked.ReadAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(push);
        Assert.Equal("invalidate", push!.Items![0].AsString());
        Assert.Equal(["cached"], Reply.Strings(push.Items[1]));
        Reply.Text("beta-write", await tracked.CallAsync("GET", "cached"));
    }
}
