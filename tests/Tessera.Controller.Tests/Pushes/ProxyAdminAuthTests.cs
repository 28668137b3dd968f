using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;

namespace Tessera.Controller.Tests.Pushes;

/// <summary>
/// A real proxy's admin API refuses callers without the cluster secret or a token of the right role, and a forged
/// route push changes nothing; a proxy serving a topology file answers reads and refuses pushes.
/// </summary>
public sealed class ProxyAdminAuthTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_forged_push_is_refused_and_the_proxy_keeps_its_routes()
    {
        using var dir = new TempDirectory("tessera-proxy-auth");
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        await using var proxy = await ProxyServer.StartWithStoreAsync(Options(), dir.StoreUrl);
        using var client = controller.Client();
        await client.CreateNamespaceAsync("default");
        await client.CreateGroupAsync("default", 1);
        await client.AddServerAsync("default", 1, redis[0].Endpoint);
        var built = await client.AssignSlotsAsync("default", 0, 1023, 1);
        Assert.Equal(PushOutcome.Acked, built.Pushes.SelectMany(p => p.Proxies).Single().Outcome);
        var viewer = (await client.CreateTokenAsync("looker", "viewer")).Token;

        using var asController = await TestTokens.ProxyAdminHttpAsync(proxy.AdminUrl!, dir.StoreUrl, CallTimeout);
        var before = await asController.GetFromJsonAsync<ProxyRoutesState>(ProxyAdminRoutes.Topology.TrimStart('/'), TesseraJson.Options);

        // Every slot to a server of the attacker's choosing, at an epoch that would win.
        var forged = new RoutePush
        {
            Namespace = new NamespaceConfig
            {
                Name = "default",
                Epoch = 999,
                Groups = [new GroupConfig { Id = 1, Master = redis[1].Endpoint }],
                Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }],
            },
        };
        using var anonymous = new HttpClient { BaseAddress = proxy.AdminUrl, Timeout = CallTimeout };
        foreach (var (credential, expected) in new (string?, HttpStatusCode)[] { (null, HttpStatusCode.Unauthorized), ("not-the-secret", HttpStatusCode.Unauthorized), (viewer, HttpStatusCode.Forbidden) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ProxyAdminRoutes.Routes.TrimStart('/')) { Content = JsonContent.Create(forged, options: TesseraJson.Options) };
            if (credential is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
            }

            using var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == expected, $"a push with {credential ?? "no credential"}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var after = await asController.GetFromJsonAsync<ProxyRoutesState>(ProxyAdminRoutes.Topology.TrimStart('/'), TesseraJson.Options);
        Assert.Equal(before!.Namespaces, after!.Namespaces);
        Assert.Equal(built.Namespace.Epoch, proxy.Epoch);

        // Reads: the secret or a viewer token; nothing for /healthz.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ProxyAdminRoutes.Topology.TrimStart('/'))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(ProxyAdminRoutes.Health.TrimStart('/'))).StatusCode);
        using var withViewer = new HttpRequestMessage(HttpMethod.Get, ProxyAdminRoutes.TopologyConfig.TrimStart('/'));
        withViewer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewer);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(withViewer)).StatusCode);

        // The controller's own status probe of the proxy still gets through (it sends the secret).
        Assert.True(Assert.Single(await client.ListProxiesAsync()).Reachable);
    }

    [Fact]
    public async Task A_proxy_serving_a_topology_file_answers_reads_and_refuses_pushes()
    {
        var topology = new TopologyConfig
        {
            Epoch = 1,
            Namespaces = [new NamespaceConfig { Name = "default", Epoch = 1, Groups = [new GroupConfig { Id = 1, Master = "127.0.0.1:1" }], Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }] }],
        };
        await using var proxy = await ProxyServer.StartAsync(Options(), topology);
        using var http = new HttpClient { BaseAddress = proxy.AdminUrl, Timeout = CallTimeout };

        Assert.Equal(1, (await http.GetFromJsonAsync<ProxyRoutesState>(ProxyAdminRoutes.Topology.TrimStart('/'), TesseraJson.Options))!.Namespaces.Single().Epoch);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ProxyAdminRoutes.TopologyConfig.TrimStart('/'))).StatusCode);
        using var push = await http.PostAsJsonAsync(ProxyAdminRoutes.Routes.TrimStart('/'), new RoutePush { Namespace = topology.Namespaces[0] with { Epoch = 2 } }, TesseraJson.Options);
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        Assert.Contains("this proxy serves a topology file; edit the file", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, proxy.Epoch);
    }

    private static ProxyOptions Options() => new() { Listen = new IPEndPoint(IPAddress.Loopback, 0), Admin = new IPEndPoint(IPAddress.Loopback, 0) };
}
