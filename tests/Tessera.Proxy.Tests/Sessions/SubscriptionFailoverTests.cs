using Tessera.Model.Topology;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>Subscriptions follow a group whose master changed (a failover applied as a route change).</summary>
public sealed class SubscriptionFailoverTests : IAsyncLifetime
{
    private readonly ProxyCluster _cluster = new(2, 1);

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task A_subscriber_keeps_receiving_after_its_channels_master_changes()
    {
        string channel = Enumerable.Range(0, 1000).Select(i => $"fo:{i}").First(k => KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(k)) >= 512);
        await using var sub = await _cluster.ConnectAsync();
        await using var pub = await _cluster.ConnectAsync();
        await sub.SendAsync("SUBSCRIBE", channel);
        await sub.ReadAsync();
        await Task.Delay(100);
        Reply.Integer(1, await pub.CallAsync("PUBLISH", channel, "before"));
        Assert.Equal("before", (await sub.ReadAsync()).Items![2].AsString());

        // Promote group 2's replica and tell the proxy, as the controller would after a failover.
        var group = _cluster.Cluster.Groups.Single(g => g.Id == 2);
        var replica = group.Replicas[0];
        await using (var promoted = await replica.ConnectAsync())
        {
            Reply.Ok(await promoted.CallAsync("REPLICAOF", "NO", "ONE"));
        }

        var ns = _cluster.Cluster.Topology.Namespaces[0];
        var groups = ns.Groups.Select(g => g.Id == 2 ? g with { Master = replica.Endpoint, Replicas = [] } : g).ToList();
        _cluster.Proxy.ApplyTopology(new TopologyConfig { Epoch = 2, Namespaces = [ns with { Epoch = 2, Groups = groups }] });

        // The subscription moves to the new master; publishing (now routed there) reaches the subscriber.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        long receivers = 0;
        while (receivers == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            receivers = (await pub.CallAsync("PUBLISH", channel, "after")).Integer;
        }

        Assert.Equal(1, receivers);
        Assert.Equal("after", (await sub.ReadAsync()).Items![2].AsString());
    }
}
