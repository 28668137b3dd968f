using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Proxy;
using Tessera.Local.Clusters;
using Tessera.Local.Etcd;
using Tessera.Local.Networking;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;
using Tessera.Proxy.Hosting;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Client;
using Tessera.Resp.Keys;
using Tessera.Store;

namespace Tessera.Proxy.Tests.Coordination;

/// <summary>A proxy that takes its routes from the coordinator store, follows changes, accepts pushes, and fences itself.</summary>
public sealed class StoreBackedProxyTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tessera-tests", Guid.NewGuid().ToString("N"));
    private LocalCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = Path.Combine(_directory, "redis"), Groups = 2, Replicas = 0 });
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Logs still being written; the OS cleans temp eventually.
        }
    }

    private NamespaceConfig Namespace(long epoch, int splitAt = 512, SlotState upperState = SlotState.Online) => new()
    {
        Name = "default",
        Open = true,
        Epoch = epoch,
        Groups = _cluster.Topology.Namespaces[0].Groups,
        Slots =
        [
            new SlotRangeConfig { From = 0, To = splitAt - 1, Group = 1 },
            new SlotRangeConfig { From = splitAt, To = 1023, Group = 2, State = upperState },
        ],
    };

    private static ProxyOptions Options() => new()
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Admin = new IPEndPoint(IPAddress.Loopback, FreePort.Find()),
        LeaseTtl = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromSeconds(3),
    };

    private static string KeyInSlotRange(int from, int to)
    {
        for (int i = 0; ; i++)
        {
            string key = $"k:{i}";
            int slot = KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key));
            if (slot >= from && slot <= to)
            {
                return key;
            }
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout.TotalSeconds} s waiting until {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Loads_routes_registers_and_follows_store_changes_without_restart()
    {
        string url = "file://" + Path.Combine(_directory, "store");
        await using var store = StoreFactory.Open(url);
        await TestTokens.ClusterSecretAsync(store);
        await store.PutAsync(StorePaths.Namespace("default"), JsonSerializer.Serialize(Namespace(1), Json));

        await using var proxy = await ProxyServer.StartWithStoreAsync(Options(), url);
        await using var client = await RespClient.ConnectAsync("127.0.0.1", proxy.Endpoint.Port);
        Reply.Ok(await client.CallAsync("SET", "store:a", "1"));

        // Registered with its admin URL.
        var registered = await store.ListAsync(StorePaths.Proxies);
        var record = JsonSerializer.Deserialize<ProxyRecord>(Assert.Single(registered).Value, Json)!;
        Assert.Equal(proxy.Id, record.Id);
        Assert.Equal(proxy.AdminUrl!.ToString().TrimEnd('/'), record.AdminUrl);

        // A new epoch written to the store reaches the running proxy: move every slot to group 1.
        var moved = Namespace(2, splitAt: 1024);
        await store.PutAsync(StorePaths.Namespace("default"), JsonSerializer.Serialize(moved with { Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }] }, Json));
        using var http = await TestTokens.ProxyAdminHttpAsync(proxy.AdminUrl!, url, TimeSpan.FromSeconds(5));
        await Eventually(async () => (await http.GetFromJsonAsync<ProxyRoutesState>("api/topology", Json))!.Namespaces.Single().Epoch == 2, TimeSpan.FromSeconds(2), "the proxy applies epoch 2");
        var state = (await http.GetFromJsonAsync<ProxyRoutesState>("api/topology", Json))!;
        Assert.Equal(TopologySignature.Compute(moved with { Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }] }), state.Namespaces.Single().Signature);

        string upper = KeyInSlotRange(512, 1023);
        Reply.Ok(await client.CallAsync("SET", upper, "on-group-1"));
        await using var g1 = await _cluster.Groups[0].Master.ConnectAsync();
        Reply.Text("on-group-1", await g1.CallAsync("GET", upper));

        // Deregisters on stop.
        await proxy.DisposeAsync();
        Assert.Empty(await store.ListAsync(StorePaths.Proxies));
    }

    [Fact]
    public async Task Locked_slots_hold_only_their_requests_until_the_switch_arrives()
    {
        string url = "file://" + Path.Combine(_directory, "store");
        await using var store = StoreFactory.Open(url);
        await TestTokens.ClusterSecretAsync(store);
        await store.PutAsync(StorePaths.Namespace("default"), JsonSerializer.Serialize(Namespace(1), Json));
        await using var proxy = await ProxyServer.StartWithStoreAsync(Options(), url);
        using var http = await TestTokens.ProxyAdminHttpAsync(proxy.AdminUrl!, url, TimeSpan.FromSeconds(10));

        // Phase 1: lock the upper half.
        var lockResponse = await http.PostAsJsonAsync("api/routes", new RoutePush { Namespace = Namespace(2, upperState: SlotState.Locked) }, Json);
        Assert.Equal(HttpStatusCode.OK, lockResponse.StatusCode);

        string lower = KeyInSlotRange(0, 511), upper = KeyInSlotRange(512, 1023);
        await using var c = await RawConnection.ConnectAsync(proxy.Endpoint.Port);
        await c.SendAsync(RawConnection.Command("SET", upper, "held"));
        await c.SendAsync(RawConnection.Command("GET", upper));
        await c.SendAsync(RawConnection.Command("SET", lower, "free"));

        // Nothing comes back yet: the first reply in order is held.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.ReadAsync(TimeSpan.FromMilliseconds(300)));

        // Another client on an unlocked slot is served meanwhile.
        await using var other = await RespClient.ConnectAsync("127.0.0.1", proxy.Endpoint.Port);
        Reply.Ok(await other.CallAsync("SET", lower, "other"));

        // Phase 2: the upper half now belongs to group 1; held requests go there, in order.
        var switchResponse = await http.PostAsJsonAsync("api/routes", new RoutePush { Namespace = Namespace(3, splitAt: 1024) with { Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }] } }, Json);
        Assert.Equal(HttpStatusCode.OK, switchResponse.StatusCode);
        Reply.Ok((await c.ReadAsync())!);
        Reply.Text("held", (await c.ReadAsync())!);
        Reply.Ok((await c.ReadAsync())!);
        await using var g1 = await _cluster.Groups[0].Master.ConnectAsync();
        Reply.Text("held", await g1.CallAsync("GET", upper));

        // An older push is refused with the current state.
        var stale = await http.PostAsJsonAsync("api/routes", new RoutePush { Namespace = Namespace(1) }, Json);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
    }

    [Fact]
    public async Task A_lock_that_never_ends_answers_tryagain_after_the_request_timeout()
    {
        string url = "file://" + Path.Combine(_directory, "store");
        await using var store = StoreFactory.Open(url);
        await TestTokens.ClusterSecretAsync(store);
        await store.PutAsync(StorePaths.Namespace("default"), JsonSerializer.Serialize(Namespace(1, upperState: SlotState.Locked), Json));
        await using var proxy = await ProxyServer.StartWithStoreAsync(Options() with { RequestTimeout = TimeSpan.FromSeconds(1) }, url);
        await using var client = await RespClient.ConnectAsync("127.0.0.1", proxy.Endpoint.Port);
        Reply.Error("TRYAGAIN slot", await client.CallAsync("GET", KeyInSlotRange(512, 1023)));
        Reply.Text("PONG", await client.CallAsync("PING"));
    }

    [Fact]
    public async Task A_proxy_that_cannot_renew_its_lease_fences_itself_and_recovers()
    {
        await using var etcd = await EtcdCluster.StartAsync(1);
        await using var store = StoreFactory.Open(etcd.Url);
        await store.PutAsync(StorePaths.Namespace("default"), JsonSerializer.Serialize(Namespace(1), Json));
        await using var proxy = await ProxyServer.StartWithStoreAsync(Options(), etcd.Url);
        await using var client = await RespClient.ConnectAsync("127.0.0.1", proxy.Endpoint.Port);
        Reply.Ok(await client.CallAsync("SET", "fence:a", "1"));

        // The store goes away: after one lease TTL the proxy stops serving.
        etcd.Members[0].Kill();
        await Eventually(async () => (await client.CallAsync("GET", "fence:a")).IsError, TimeSpan.FromSeconds(6), "the proxy fences itself");
        Reply.Error("TRYAGAIN", await client.CallAsync("GET", "fence:a"));
        Reply.Text("PONG", await client.CallAsync("PING"));
        using var http = new HttpClient { BaseAddress = proxy.AdminUrl, Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("healthz")).StatusCode);

        // The store comes back: the proxy registers again and serves by itself.
        etcd.Members[0].Restart();
        await Eventually(async () => !(await client.CallAsync("GET", "fence:a")).IsError, TimeSpan.FromSeconds(15), "the proxy serves again");
        Reply.Text("1", await client.CallAsync("GET", "fence:a"));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
    }
}
