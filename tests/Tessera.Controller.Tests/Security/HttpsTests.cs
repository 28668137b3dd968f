using System.Net;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Model.Api;
using Tessera.Model.Security;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Security;

/// <summary>
/// HTTPS on the controller's API and on a proxy's admin API, with certificates of a private CA: the CLI and the client
/// with the CA (option or environment) and without it, and route pushes from the controller to the proxy over https.
/// </summary>
public sealed class HttpsTests
{
    [Fact]
    public async Task The_controller_and_the_proxy_admin_API_speak_https_and_route_pushes_go_over_it()
    {
        using var folder = new TempDirectory("tessera-https");
        using var ca = new TestCertificates(folder.Sub("ca"));
        await using var redis = await RedisServers.StartAsync(folder, 1);
        var controllerFiles = ca.Server("tessera-controller").Files;
        await using var controller = await ControllerServer.StartAsync(new ControllerOptions
        {
            AdminTokenFile = TestTokens.FileFor(folder.StoreUrl),
            StoreUrl = folder.StoreUrl,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Id = "ctl-https",
            PushDeadline = TimeSpan.FromSeconds(3),
            PushCallTimeout = TimeSpan.FromSeconds(1),
            Tls = controllerFiles,
            CaCertFile = ca.CaFile,
        });
        TestTokens.Register(controller.Url, folder.StoreUrl);
        Assert.Equal("https", controller.Url.Scheme);
        Assert.True(await controller.WaitForLeadershipAsync(TimeSpan.FromSeconds(10)), "the controller did not lead within 10 s");
        var token = TestTokens.ForController(controller.Url.ToString());

        var proxyFiles = ca.Server().Files;
        await using var proxy = await ProxyServer.StartWithStoreAsync(
            new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Admin = new IPEndPoint(IPAddress.Loopback, 0), LeaseTtl = TimeSpan.FromSeconds(3), AdminTls = proxyFiles, CaCertFile = ca.CaFile },
            folder.StoreUrl);
        Assert.Equal("https", proxy.AdminUrl!.Scheme);

        // Without the CA the client refuses the controller's certificate, and says what to do.
        using (var untrusting = new ControllerClient(controller.Url, TimeSpan.FromSeconds(10)) { Token = token })
        {
            var refused = await Assert.ThrowsAsync<ControllerUnreachableException>(() => untrusting.ListNamespacesAsync());
            Assert.Contains("TLS handshake failed", refused.Message, StringComparison.Ordinal);
            Assert.Contains("--ca-cert", refused.Message, StringComparison.Ordinal);
        }

        // With it, changes work and their route pushes reach the proxy over https.
        using var client = new ControllerClient(controller.Url, ca.CaFile, TimeSpan.FromSeconds(30)) { Token = token };
        await client.CreateNamespaceAsync("shop", open: true);
        await client.CreateGroupAsync("shop", 1);
        await client.AddServerAsync("shop", 1, redis[0].Endpoint);
        var assigned = await client.AssignSlotsAsync("shop", 0, 1023, 1);
        var pushed = Assert.Single(assigned.Pushes[^1].Proxies);
        Assert.True(pushed.Outcome == PushOutcome.Acked, $"the push over https was not acked: {pushed.Detail}");
        await using (var connection = await RawConnection.ConnectAsync(proxy.Endpoint.Port))
        {
            Reply.Ok(await connection.CallAsync("AUTH", "shop", "x"));
            Reply.Ok(await connection.CallAsync("SET", "k", "v"));
        }

        // The CLI: refused without the CA, served with --ca-cert, and with TESSERA_CA_CERT.
        string url = controller.Url.ToString();
        var withoutCa = await AdminCli.RunAsync("namespace", "list", "--controller", url);
        Assert.NotEqual(0, withoutCa.ExitCode);
        Assert.Contains("TLS handshake failed", withoutCa.Error, StringComparison.Ordinal);
        Assert.Contains("shop", (await AdminCli.OkAsync("namespace", "list", "--controller", url, "--ca-cert", ca.CaFile)).Output, StringComparison.Ordinal);
        Environment.SetEnvironmentVariable(TlsTrust.CaVariable, ca.CaFile);
        try
        {
            Assert.Contains("shop", (await AdminCli.OkAsync("namespace", "list", "--controller", url)).Output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(TlsTrust.CaVariable, null);
        }

        // The proxy's admin API itself: https only, trusted with the CA.
        using var trusting = new HttpClient(new SocketsHttpHandler().Trusting(ca.CaFile)) { Timeout = TimeSpan.FromSeconds(10) };
        using (var health = await trusting.GetAsync(new Uri(proxy.AdminUrl, "healthz")))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(new Uri(proxy.AdminUrl, "healthz")));
    }
}
