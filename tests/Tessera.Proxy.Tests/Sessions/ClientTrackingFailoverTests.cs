using Tessera.Model.Topology;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>Client tracking across a failover: the client is told to flush, and tracking goes on at the new master.</summary>
public sealed class ClientTrackingFailoverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ProxyCluster _cluster = new(2, 1);

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task A_master_change_sends_a_null_invalidation_and_reads_are_tracked_on_the_new_master()
    {
        string key = TestKeys.OnGroup(2, "trk-failover");
        await using var tracked = await RawConnection.ConnectAsync(_cluster.Port);
        Assert.Equal(RespKind.Map, (await CallAsync(tracked, "HELLO", "3")).Kind);
        Reply.Ok(await CallAsync(tracked, "CLIENT", "TRACKING", "ON"));
        await CallAsync(tracked, "GET", key);

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

        var flush = (await tracked.ReadAsync(Timeout))!;
        Assert.True(flush.Kind == RespKind.Push && flush.Items![0].AsString() == "invalidate" && flush.Items[1].IsNull, $"expected a null invalidation, got {flush}");

        await CallAsync(tracked, "GET", key);
        await using var writer = await _cluster.ConnectAsync();
        Reply.Ok(await writer.CallAsync("SET", key, "after"));
        var push = (await tracked.ReadAsync(Timeout))!;
        Assert.True(push.Kind == RespKind.Push && push.Items![1].Items is [var only] && only.AsString() == key, $"expected an invalidation of {key}, got {push}");
    }

    private static async Task<RespValue> CallAsync(RawConnection c, params string[] args)
    {
        var reply = await c.CallAsync(args);
        Assert.True(reply.Kind != RespKind.Push, $"expected the reply to {args[0]}, got {reply}");
        return reply;
    }
}
