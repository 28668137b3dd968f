using System.Security.Authentication;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Values;
using Tessera.Testing;

namespace Tessera.Proxy.Tests.Net;

/// <summary>
/// TLS on the client listener of a real proxy in front of real redis-servers: mutual TLS accepted and refused, replies
/// in order over TLS, and a certificate rotated on disk while a client stays connected.
/// </summary>
public sealed class ClientTlsTests
{
    [Fact]
    public async Task Mutual_TLS_serves_a_client_with_a_certificate_of_the_CA_and_refuses_the_others()
    {
        using var folder = new TempDirectory("tessera-tls");
        using var ca = new TestCertificates(folder.Sub("ca"));
        using var otherCa = new TestCertificates(folder.Sub("other"), "Another CA");
        var (_, files) = ca.Server();
        await WithProxyAsync(files with { ClientCaFile = ca.CaFile }, async proxy =>
        {
            int port = proxy.TlsEndpoint!.Port;
            Assert.Equal(proxy.Endpoint.Port, port);

            await using (var good = await RawConnection.ConnectTlsAsync(port, ca.Ca, ca.Client("CN=shop-app")))
            {
                Reply.Ok(await good.CallAsync("SET", "tls:k", "v"));
                Reply.Text("v", await good.CallAsync("GET", "tls:k"));
            }

            // No certificate, or one of another CA: the handshake fails (or the proxy closes at once).
            Assert.True(await RefusedAsync(() => RawConnection.ConnectTlsAsync(port, ca.Ca)), "a client without a certificate was served");
            Assert.True(await RefusedAsync(() => RawConnection.ConnectTlsAsync(port, ca.Ca, otherCa.Client("CN=shop-app"))), "a client certificate of another CA was accepted");

            // Plain TCP on the TLS port gets nothing it can read as RESP.
            await using var plain = await RawConnection.ConnectAsync(port);
            await plain.SendAsync(RawConnection.Command("PING"));
            Assert.NotEqual("+PONG\r\n", System.Text.Encoding.ASCII.GetString(await plain.ReadBytesAsync(TimeSpan.FromSeconds(5))));
        });
    }

    [Fact]
    public async Task Pipelined_and_multi_key_replies_stay_in_order_over_TLS()
    {
        using var folder = new TempDirectory("tessera-tls");
        using var ca = new TestCertificates(folder.Sub("ca"));
        await WithProxyAsync(ca.Server().Files, async proxy =>
        {
            await using var client = await RawConnection.ConnectTlsAsync(proxy.TlsEndpoint!.Port, ca.Ca);
            const int count = 2000;
            var batch = new List<byte>();
            for (int i = 0; i < count; i++)
            {
                batch.AddRange(RawConnection.Command("SET", $"p:{i}", $"v{i}"));
                batch.AddRange(RawConnection.Command("GET", $"p:{i}"));
            }

            batch.AddRange(RawConnection.Command("MGET", "p:0", "p:1", "p:2", "p:3", "p:1999"));
            await client.SendAsync(batch.ToArray());
            for (int i = 0; i < count; i++)
            {
                Reply.Ok(await NextAsync(client));
                Reply.Text($"v{i}", await NextAsync(client));
            }

            Assert.Equal(["v0", "v1", "v2", "v3", "v1999"], Reply.Strings(await NextAsync(client)));

            // One command per round trip too (the path plain clients take on the socket's event thread).
            for (int i = 0; i < 200; i++)
            {
                Reply.Text($"v{i}", await client.CallAsync("GET", $"p:{i}"));
            }
        });
    }

    [Fact]
    public async Task A_certificate_rotated_on_disk_is_presented_to_new_clients_while_connected_ones_keep_working()
    {
        using var folder = new TempDirectory("tessera-tls");
        using var ca = new TestCertificates(folder.Sub("ca"));
        var (first, files) = ca.Server("proxy-one", "proxy");
        await WithProxyAsync(files, async proxy =>
        {
            int port = proxy.TlsEndpoint!.Port;
            await using var early = await RawConnection.ConnectTlsAsync(port, ca.Ca);
            Assert.Equal(first.Thumbprint, early.ServerCertificate!.Thumbprint);
            Reply.Ok(await early.CallAsync("SET", "rot:k", "1"));

            // Half-way through a careless rotation (new certificate, old key) the proxy keeps the old pair.
            var (replacement, _) = ca.Server("proxy-two", "proxy-two");
            File.Copy(ca.Write("staging", replacement).CertificateFile, files.CertificateFile, overwrite: true);
            await using (var during = await RawConnection.ConnectTlsAsync(port, ca.Ca))
            {
                Assert.Equal(first.Thumbprint, during.ServerCertificate!.Thumbprint);
                Reply.Text("PONG", await during.CallAsync("PING"));
            }

            File.Copy(ca.Write("staging", replacement).KeyFile, files.KeyFile, overwrite: true);
            await using var late = await RawConnection.ConnectTlsAsync(port, ca.Ca);
            Assert.Equal(replacement.Thumbprint, late.ServerCertificate!.Thumbprint);
            Assert.Equal("CN=proxy-two", late.ServerCertificate.Subject);
            Assert.Equal(1, proxy.Certificates!.Reloads);

            // The connection opened before the rotation kept its session: it still works, pipelined or not.
            for (int i = 0; i < 100; i++)
            {
                Reply.Integer(i + 2, await early.CallAsync("INCR", "rot:k"));
            }

            Reply.Text("101", await late.CallAsync("GET", "rot:k"));
        });
    }

    private static async Task WithProxyAsync(Model.Security.TlsFiles files, Func<ProxyServer, Task> test)
    {
        var cluster = new ProxyCluster(2, 0, new ProxyOptions { Tls = files });
        try
        {
            await cluster.InitializeAsync();
            await test(cluster.Proxy);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static async Task<RespValue> NextAsync(RawConnection client) =>
        await client.ReadAsync(TimeSpan.FromSeconds(10)) ?? throw new Xunit.Sdk.XunitException("the proxy closed the connection instead of answering");

    /// <summary>True when connecting fails at the handshake or the proxy closes the connection before answering a PING.</summary>
    private static async Task<bool> RefusedAsync(Func<Task<RawConnection>> connect)
    {
        try
        {
            await using var connection = await connect();
            await connection.SendAsync(RawConnection.Command("PING"));
            return await connection.ReadAsync(TimeSpan.FromSeconds(5)) is null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return true;
        }
    }
}
