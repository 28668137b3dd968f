using System.Net;
using System.Text.Json;
using Tessera.Proxy;
using Tessera.Controller.Proxies;
using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;
using Tessera.Store;

namespace Tessera.Controller.Tests.Pushes;

/// <summary>
/// The contract between the controller's pushes and a real proxy's admin API (the other push tests use the
/// <see cref="Support.RecordingProxy"/> stand-in): the route path, the JSON both sides read, that pushed routes are
/// the routes served (a key lands on the pushed group's redis-server), and that a stale push is refused with the
/// proxy's state, which the controller reads as "not applied". The proxy runs in-process on a store of its own that
/// holds epoch 1 only, so every later epoch it serves came through its admin API, authenticated with the cluster
/// secret as the controller sends it.
/// </summary>
public sealed class ProxyAdminContractTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_admin_client_pushes_routes_the_proxy_serves_and_a_stale_push_is_refused_with_the_served_state()
    {
        using var dir = new TempDirectory("tessera-contract");
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using (var store = StoreFactory.Open(dir.StoreUrl))
        {
            await store.PutAsync(StorePaths.Namespace("default"), JsonSerializer.Serialize(Namespace(1, redis, slotsOn: 1), TesseraJson.Options));
        }

        var secret = await TestTokens.ClusterSecretAsync(dir.StoreUrl);
        await using var proxy = await StartProxyAsync(dir.StoreUrl);
        var record = Record(proxy);
        using var admin = new ProxyAdminClient(() => secret);

        var first = await admin.GetStateAsync(record, CallTimeout, CancellationToken.None);
        Assert.Equal(proxy.Id, first.Id);
        Assert.False(first.Fenced);
        Assert.Equal(("default", 1L), (Assert.Single(first.Namespaces).Name, first.Namespaces[0].Epoch));
        await AssertLandsOnAsync(proxy, redis, "contract:before", onServer: 0);

        // Epoch 2 moves every slot to group 2: the answer is the new state, and the proxy routes by it.
        var moved = Namespace(2, redis, slotsOn: 2);
        var pushed = await admin.PushAsync(record, new RoutePush { Namespace = moved }, CallTimeout, CancellationToken.None);
        var served = Assert.Single(pushed.Namespaces);
        Assert.Equal(("default", 2L), (served.Name, served.Epoch));
        // The signature the controller's status compares with the store's (TopologySignature) is the proxy's.
        Assert.Equal(TopologySignature.Compute(moved), served.Signature);
        Assert.Equal(pushed.Namespaces, (await admin.GetStateAsync(record, CallTimeout, CancellationToken.None)).Namespaces);
        await AssertLandsOnAsync(proxy, redis, "contract:after", onServer: 1);

        // A stale push (epoch 1 again, slots back on group 1) is answered 409 with what is served; the client
        // returns that state instead of throwing, and the routes do not go back.
        var stale = await admin.PushAsync(record, new RoutePush { Namespace = Namespace(1, redis, slotsOn: 1) }, CallTimeout, CancellationToken.None);
        Assert.Equal(pushed.Namespaces, stale.Namespaces);
        Assert.Equal(2, proxy.Epoch);
        await AssertLandsOnAsync(proxy, redis, "contract:stale", onServer: 1);

        // Invalid routes are refused outright (400), which the client reports as a failed call.
        var invalid = Namespace(3, redis, slotsOn: 2) with { Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 9 }] };
        var refused = await Assert.ThrowsAsync<ProxyCallException>(() => admin.PushAsync(record, new RoutePush { Namespace = invalid }, CallTimeout, CancellationToken.None));
        Assert.Contains("400", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, proxy.Epoch);

        // A removal is applied: the namespace is gone from the proxy's state.
        var removed = await admin.PushAsync(record, new RoutePush { Namespace = Namespace(4, redis, slotsOn: 2), Removed = true }, CallTimeout, CancellationToken.None);
        Assert.Empty(removed.Namespaces);
    }

    [Fact]
    public async Task A_controller_change_is_pushed_to_a_registered_real_proxy_which_acks_and_serves_it()
    {
        using var dir = new TempDirectory("tessera-contract");
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        await using var proxy = await StartProxyAsync(dir.StoreUrl);
        using var client = controller.Client();

        var changes = new List<ChangeResult>
        {
            await client.CreateNamespaceAsync("default", open: true),
            await client.CreateGroupAsync("default", 1),
            await client.AddServerAsync("default", 1, redis[0].Endpoint),
            await client.CreateGroupAsync("default", 2),
            await client.AddServerAsync("default", 2, redis[1].Endpoint),
            await client.AssignSlotsAsync("default", 0, 511, 1),
            await client.AssignSlotsAsync("default", 512, 1023, 2),
        };

        foreach (var change in changes)
        {
            var push = Assert.Single(change.Pushes);
            var outcome = Assert.Single(push.Proxies);
            Assert.True(outcome.Outcome == PushOutcome.Acked, $"{change.Summary}: {outcome.Outcome} ({outcome.Detail})");
            Assert.Equal(proxy.Id, outcome.Id);
        }

        Assert.Equal(changes[^1].Namespace.Epoch, proxy.Epoch);
        await AssertLandsOnAsync(proxy, redis, TestKeys.OnGroup(1, "contract"), onServer: 0);
        await AssertLandsOnAsync(proxy, redis, TestKeys.OnGroup(2, "contract"), onServer: 1);

        // The controller's status probe of the proxy sees the same routes as the store.
        var status = Assert.Single(await client.ListProxiesAsync());
        Assert.Equal(proxy.Id, status.Proxy.Id);
        Assert.True(status.Reachable, status.Problem);
        Assert.Contains(status.Namespaces, n => n.Name == "default" && n.Matches);
    }

    private static async Task<ProxyServer> StartProxyAsync(string storeUrl) =>
        await ProxyServer.StartWithStoreAsync(
            new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Admin = new IPEndPoint(IPAddress.Loopback, 0) },
            storeUrl);

    /// <summary>The registration the proxy would write for itself, which is all the controller's client reads.</summary>
    private static ProxyRecord Record(ProxyServer proxy) => new()
    {
        Id = proxy.Id,
        Address = proxy.Endpoint.ToString(),
        AdminUrl = proxy.AdminUrl!.ToString().TrimEnd('/'),
        ProcessId = Environment.ProcessId,
        StartedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>Namespace "default": group 1 on server 0, group 2 on server 1, every slot on <paramref name="slotsOn"/>.</summary>
    private static NamespaceConfig Namespace(long epoch, RedisServers redis, int slotsOn) => new()
    {
        Name = "default",
        Open = true,
        Epoch = epoch,
        Groups = [new GroupConfig { Id = 1, Master = redis[0].Endpoint }, new GroupConfig { Id = 2, Master = redis[1].Endpoint }],
        Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = slotsOn }],
    };

    /// <summary>SET through the proxy, then the key is on server <paramref name="onServer"/> and not on the other.</summary>
    private static async Task AssertLandsOnAsync(ProxyServer proxy, RedisServers redis, string key, int onServer)
    {
        await using (var client = await RespClient.ConnectAsync("127.0.0.1", proxy.Endpoint.Port, CallTimeout))
        {
            Reply.Ok(await client.CallAsync("SET", key, "v"));
        }

        for (var i = 0; i < 2; i++)
        {
            RedisServerProcess server = redis[i];
            await using var direct = await server.ConnectAsync(CallTimeout);
            var value = await direct.CallAsync("GET", key);
            Assert.True(i == onServer ? value.AsString() == "v" : value.IsNull, $"{key} on server {i} ({server.Endpoint}): {value}; expected it on server {onServer} only");
        }
    }
}
