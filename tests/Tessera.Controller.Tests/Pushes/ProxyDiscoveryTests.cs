using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;

namespace Tessera.Controller.Tests.Pushes;

/// <summary>
/// Discovery for plain clients (issue 12 item 3): the controller lists the live proxies, one zone's with ?zone=, to
/// viewers and up; `tessera proxies --json --zone` prints the same; a proxy that stops drops out of the list.
/// </summary>
public sealed class ProxyDiscoveryTests
{
    private static ProxyOptions Options(string zone, string? announce = null) => new()
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        Admin = new IPEndPoint(IPAddress.Loopback, 0),
        LeaseTtl = TimeSpan.FromSeconds(3),
        Zone = zone,
        Announce = announce,
        ClusterFace = announce is not null,
    };

    [Fact]
    public async Task Live_proxies_are_listed_by_zone_to_viewers_and_by_the_cli()
    {
        using var dir = new TempDirectory("tessera-discovery");
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        await using var a1 = await ProxyServer.StartWithStoreAsync(Options("az1"), dir.StoreUrl);
        var a2 = await ProxyServer.StartWithStoreAsync(Options("az1"), dir.StoreUrl);
        await using var b1 = await ProxyServer.StartWithStoreAsync(Options("az2", announce: "10.0.0.5:19000"), dir.StoreUrl);
        using var admin = controller.Client();
        string viewer = (await admin.CreateTokenAsync("discovery", "viewer")).Token;
        using var asViewer = controller.Client(viewer);

        var all = await asViewer.ListProxiesAsync();
        Assert.Equal(3, all.Count);
        var az1 = await asViewer.ListProxiesAsync("az1");
        Assert.Equal(new[] { a1.Id, a2.Id }.Order(), az1.Select(p => p.Proxy.Id).Order());
        Assert.All(az1, p => Assert.Equal("az1", p.Proxy.Zone));
        var az2 = Assert.Single(await asViewer.ListProxiesAsync("az2"));
        Assert.Equal("10.0.0.5:19000", az2.Proxy.Announce);
        Assert.Equal("10.0.0.5:19000", az2.Proxy.ClientAddress);
        Assert.True(az2.Proxy.ClusterFace);
        Assert.Empty(await asViewer.ListProxiesAsync("nowhere"));

        // Without a token: refused, as every read.
        using var anonymous = new HttpClient { BaseAddress = controller.Url, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/proxies?zone=az1")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/proxies?zone=az2");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", viewer);
        using var response = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            var proxy = Assert.Single(body.RootElement.EnumerateArray()).GetProperty("proxy");
            Assert.Equal("10.0.0.5:19000", proxy.GetProperty("announce").GetString());
            Assert.Equal($"127.0.0.1:{b1.Endpoint.Port}", proxy.GetProperty("address").GetString());
        }

        // The CLI: `tessera proxies --json --zone az1` with the viewer token.
        var cli = await AdminCli.OkAsync("proxies", "--controller", controller.Url.ToString(), "--token", viewer, "--json", "--zone", "az1");
        using (var listed = JsonDocument.Parse(cli.Output))
        {
            Assert.Equal(new[] { a1.Id, a2.Id }.Order(), listed.RootElement.EnumerateArray().Select(p => p.GetProperty("proxy").GetProperty("id").GetString()).Order());
        }

        // A proxy that stops deregisters: it is gone from the list at once.
        await a2.DisposeAsync();
        Assert.Equal(a1.Id, Assert.Single(await asViewer.ListProxiesAsync("az1")).Proxy.Id);
    }
}
