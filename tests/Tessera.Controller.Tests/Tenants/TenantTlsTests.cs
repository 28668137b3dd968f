using System.Net;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Api;
using Tessera.Resp.Client;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// Namespaces and TLS through a real controller and a store-backed proxy with a plain listener and a mutual-TLS one:
/// a namespace that requires TLS, and namespaces selected by the client certificate's identity without AUTH.
/// </summary>
public sealed class TenantTlsTests
{
    [Fact]
    public async Task A_namespace_that_requires_TLS_refuses_AUTH_over_plain_TCP_and_closes_plain_connections()
    {
        using var folder = new TempDirectory("tessera-tls");
        using var ca = new TestCertificates(folder.Sub("ca"));
        await using var cluster = await StartAsync(ca);
        var password = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var plain = await cluster.LoginAsync(TenantCluster.Alpha, password);
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));
        Reply.Ok(await plain.CallAsync("SET", "k", "v"));

        var change = await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(RequireTls: true));
        Assert.Contains("TLS required", change.Summary, StringComparison.Ordinal);

        // The plain alpha connection is closed; beta (no requirement) keeps its plain one.
        Assert.True(await plain.ClosedAsync(), "a plain connection stayed open after its namespace started to require TLS");
        Reply.Text("PONG", await beta.CallAsync("PING"));
        var refused = await (await cluster.ConnectAsync()).CallAsync("AUTH", TenantCluster.Alpha, password);
        Reply.Error("NOPERM namespace 'alpha' requires TLS: this connection is plain TCP", refused);

        await using var tls = await RawConnection.ConnectTlsAsync(cluster.Proxies[0].TlsEndpoint!.Port, ca.Ca, ca.Client("CN=anyone"));
        Reply.Ok(await tls.CallAsync("AUTH", TenantCluster.Alpha, password));
        Reply.Text("v", await tls.CallAsync("GET", "k"));

        // Switched off through the CLI: plain AUTH works again.
        await AdminCli.OkAsync("namespace", "set", TenantCluster.Alpha, "--require-tls", "false", "--controller", cluster.Controller.Url.ToString());
        Reply.Text("v", await (await cluster.LoginAsync(TenantCluster.Alpha, password)).CallAsync("GET", "k"));
    }

    [Fact]
    public async Task A_client_certificate_a_namespace_lists_binds_the_connection_without_AUTH()
    {
        using var folder = new TempDirectory("tessera-tls");
        using var ca = new TestCertificates(folder.Sub("ca"));
        await using var cluster = await StartAsync(ca);
        var url = cluster.Controller.Url.ToString();
        var shop = ca.Client("CN=shop-app,O=Example");
        var billing = ca.Client("CN=billing", "billing.example.com");
        var byPrint = ca.Client("CN=by-fingerprint");
        var stranger = ca.Client("CN=stranger");

        var set = await AdminCli.OkAsync("namespace", "set", TenantCluster.Alpha, "--client-cert-subject", "CN = shop-app, O = Example", "--controller", url);
        Assert.Contains("bound without AUTH by client certificates CN=shop-app,O=Example", set.Output, StringComparison.Ordinal);
        var fingerprint = "sha256:" + byPrint.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant();
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Beta, new UpdateNamespaceRequest(ClientCertificates: ["dns:billing.example.com", fingerprint]));

        int port = cluster.Proxies[0].TlsEndpoint!.Port;
        var alphaConnection = await BoundAsync(port, ca, shop, "shop");
        Reply.Ok(await alphaConnection.CallAsync("SET", "who", "shop"));
        await using (var betaConnection = await BoundAsync(port, ca, billing, "billing"))
        {
            Reply.Ok(await betaConnection.CallAsync("SET", "who", "billing"));
        }

        await using (var printConnection = await BoundAsync(port, ca, byPrint, "fingerprint"))
        {
            Reply.Text("billing", await printConnection.CallAsync("GET", "who"));
        }

        // Each write landed on its namespace's own server.
        await using (var alphaServer = await RespClient.ConnectAsync("127.0.0.1", cluster.Redis[0].Port, TimeSpan.FromSeconds(5)))
        await using (var betaServer = await RespClient.ConnectAsync("127.0.0.1", cluster.Redis[1].Port, TimeSpan.FromSeconds(5)))
        {
            Reply.Text("shop", await alphaServer.CallAsync("GET", "who"));
            Reply.Text("billing", await betaServer.CallAsync("GET", "who"));
        }

        // A certificate no namespace lists must AUTH as before.
        await using (var other = await RawConnection.ConnectTlsAsync(port, ca.Ca, stranger))
        {
            Reply.Error("NOAUTH", await other.CallAsync("GET", "who"));
        }

        // One certificate selects one namespace; malformed identities say what is wrong.
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateNamespaceAsync(TenantCluster.Beta, new UpdateNamespaceRequest(ClientCertificates: ["CN=shop-app,O=Example"])), HttpStatusCode.Conflict, "already binds namespace 'alpha'");
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateNamespaceAsync(TenantCluster.Beta, new UpdateNamespaceRequest(ClientCertificates: ["sha256:12"])), HttpStatusCode.BadRequest, "is not a SHA-256 fingerprint");
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateNamespaceAsync(TenantCluster.Beta, new UpdateNamespaceRequest(ClientCertificates: ["shop-app"])), HttpStatusCode.BadRequest, "is not a certificate identity");

        // Removing the identity closes the connections it bound.
        await AdminCli.OkAsync("namespace", "set", TenantCluster.Alpha, "--no-client-cert", "--controller", url);
        Assert.True(await alphaConnection.ClosedAsync(), "a certificate-bound connection stayed open after its identity was removed");
        await alphaConnection.DisposeAsync();
    }

    private static Task<TenantCluster> StartAsync(TestCertificates ca) =>
        TenantCluster.StartAsync(configure: options => options with
        {
            Tls = ca.Server().Files with { ClientCaFile = ca.CaFile },
            TlsListen = new IPEndPoint(IPAddress.Loopback, 0),
        });

    /// <summary>
    /// A TLS connection presenting <paramref name="certificate"/> once the proxy binds it without AUTH (the namespace change
    /// reaches the proxy a moment after the controller answered: retried on new connections, bounded).
    /// </summary>
    private static async Task<RawConnection> BoundAsync(int port, TestCertificates ca, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var connection = await RawConnection.ConnectTlsAsync(port, ca.Ca, certificate);
            var reply = await connection.CallAsync("EXISTS", "tls:bound-probe");
            if (!reply.IsError)
            {
                return connection;
            }

            await connection.DisposeAsync();
            Assert.True(DateTime.UtcNow < deadline, $"the {what} certificate is still not bound after 10 s: {reply}");
            await Task.Delay(50);
        }
    }
}
