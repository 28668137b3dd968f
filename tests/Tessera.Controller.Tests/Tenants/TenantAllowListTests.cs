using System.Net;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Api;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>IP allow-lists per namespace: checked at AUTH, re-checked for live connections, with the PROXY protocol's address.</summary>
public sealed class TenantAllowListTests
{
    [Fact]
    public async Task Shrinking_the_list_closes_live_connections_from_addresses_it_no_longer_allows()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alphaPassword = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, alphaPassword);
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));
        Reply.Ok(await alpha.CallAsync("SET", "k", "v"));

        var change = await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(AllowedIps: ["10.0.0.0/8", "2001:db8::/32"]));
        Assert.Contains("clients from 10.0.0.0/8, 2001:db8::/32 only", change.Summary, StringComparison.Ordinal);

        // The live alpha connection (from 127.0.0.1) is closed; beta's is untouched.
        Assert.True(await alpha.ClosedAsync(), "the alpha connection from 127.0.0.1 stayed open after the allow-list left it out");
        Reply.Text("PONG", await beta.CallAsync("PING"));
        var refused = await (await cluster.ConnectAsync()).CallAsync("AUTH", TenantCluster.Alpha, alphaPassword);
        Reply.Error("NOPERM client address 127.0.0.1 may not use namespace 'alpha': it is not in the namespace's IP allow-list", refused);

        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(AllowedIps: ["127.0.0.1"]));
        var again = await cluster.LoginAsync(TenantCluster.Alpha, alphaPassword);
        Reply.Text("v", await again.CallAsync("GET", "k"));
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(AllowedIps: []));
        Reply.Text("v", await (await cluster.LoginAsync(TenantCluster.Alpha, alphaPassword)).CallAsync("GET", "k"));
    }

    [Theory]
    [InlineData("PROXY TCP4 10.1.2.3 127.0.0.1 5000 19000\r\n", true)]
    [InlineData("PROXY TCP4 192.0.2.1 127.0.0.1 5000 19000\r\n", false)]
    [InlineData("PROXY TCP6 2001:db8::7 ::1 40000 19000\r\n", true)]
    [InlineData("PROXY TCP6 2001:db9::7 ::1 40000 19000\r\n", false)]
    public async Task Behind_a_load_balancer_the_PROXY_protocol_address_is_checked(string header, bool allowed)
    {
        await using var cluster = await TenantCluster.StartAsync(proxyProtocol: true);
        var password = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(AllowedIps: ["10.0.0.0/8", "2001:db8::/32"]));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var client = await cluster.ConnectAsync();
            await client.SendAsync(header);
            var reply = await client.CallAsync("AUTH", TenantCluster.Alpha, password);
            if (allowed && reply.IsOk)
            {
                return;
            }

            if (!allowed && reply.IsError && reply.AsString()!.StartsWith("NOPERM client address", StringComparison.Ordinal))
            {
                Assert.Contains(header.Split(' ')[2], reply.AsString(), StringComparison.Ordinal);
                return;
            }

            // The user may not have reached the proxy yet (WRONGPASS): retry, bounded.
            Assert.True(DateTime.UtcNow < deadline, $"AUTH behind '{header.TrimEnd()}' answered {reply}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Malformed_allow_lists_are_refused_with_what_is_wrong()
    {
        await using var cluster = await TenantCluster.StartAsync();
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(AllowedIps: ["10.0.0.0/33"])), HttpStatusCode.BadRequest, "'10.0.0.0/33' is not an address or CIDR network");
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(AllowedIps: ["10.1.2.3/8"])), HttpStatusCode.BadRequest, "the address must be the network's first");
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(AllowedIps: ["example.com"])), HttpStatusCode.BadRequest, "'example.com' is not an address");
        Assert.Empty((await cluster.Client.GetNamespaceAsync(TenantCluster.Alpha)).AllowedIps);
    }
}
