using System.Diagnostics;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>Quotas per namespace: ops/s smoothed by backpressure, shares re-divided over live proxies, connections, request size.</summary>
public sealed class TenantQuotaTests
{
    [Fact]
    public async Task A_pipeline_over_the_ops_quota_is_slowed_not_failed_and_another_namespace_is_not()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(Quota: new NamespaceQuota { OpsPerSecond = 50 }));
        await Eventually.TrueAsync(async () => (await alpha.CallAsync("INFO", "proxy")).AsString()!.Contains("quota_ops_share:50\r\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the proxy applying the quota");

        // 150 commands at 50/s with a quarter-second burst: over two and a half seconds, every one answered.
        var watch = Stopwatch.StartNew();
        var pipeline = Enumerable.Range(0, 150).SelectMany(i => RawConnection.Command("SET", "k" + i, "v")).ToArray();
        await alpha.SendAsync(pipeline);
        var first = await alpha.ReadAsync(TimeSpan.FromSeconds(10));
        Reply.Ok(first!);

        // Meanwhile beta is served at once, and alpha's pipeline is still being held back.
        Reply.Text("PONG", await beta.CallAsync("PING"));
        Reply.Ok(await beta.CallAsync("SET", "b", "1"));
        for (int i = 1; i < 150; i++)
        {
            Reply.Ok((await alpha.ReadAsync(TimeSpan.FromSeconds(20)))!);
        }

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"150 commands under a 50 ops/s quota took only {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.Matches("quota_waits:[1-9]", (await alpha.CallAsync("INFO", "proxy")).AsString());
    }

    [Fact]
    public async Task Replies_over_the_bytes_out_quota_slow_the_client_that_reads_them()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var value = new string('v', 10_000);
        Reply.Ok(await alpha.CallAsync("SET", "big", value));
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(Quota: new NamespaceQuota { BytesOutPerSecond = 25_000 }));
        await Eventually.TrueAsync(async () => (await alpha.CallAsync("INFO", "proxy")).AsString()!.Contains("quota_bytes_out_share:25000\r\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the proxy applying the quota");
        await Task.Delay(300);

        // Six 10 kB replies at 25 kB/s (a quarter-second burst): each GET waits until the replies before it are paid for.
        // (Replies are charged when the client's next request is read, so a pipeline read in one pass is charged after.)
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 6; i++)
        {
            Reply.Text(value, await alpha.CallAsync("GET", "big"));
        }

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.2), $"60 kB of replies under a 25 kB/s quota took only {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task Each_proxy_enforces_its_share_and_the_shares_follow_proxies_joining_and_leaving()
    {
        await using var cluster = await TenantCluster.StartAsync(proxies: 2);
        var password = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(Quota: new NamespaceQuota { OpsPerSecond = 1000, MaxConnections = 10 }));
        RawConnection[] sessions = [await cluster.LoginOnAsync(0, TenantCluster.Alpha, password), await cluster.LoginOnAsync(1, TenantCluster.Alpha, password)];
        async Task<string> InfoAsync(int proxy) => (await sessions[proxy].CallAsync("INFO", "proxy")).AsString()!;

        await Eventually.TrueAsync(async () => (await InfoAsync(0)).Contains("quota_ops_share:500\r\n", StringComparison.Ordinal) && (await InfoAsync(1)).Contains("quota_ops_share:500\r\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "both proxies enforcing half of 1000 ops/s");
        Assert.Contains("quota_connections_share:5\r\n", await InfoAsync(0), StringComparison.Ordinal);

        await cluster.StopProxyAsync(1);
        await Eventually.TrueAsync(async () => (await InfoAsync(0)).Contains("quota_ops_share:1000\r\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the last proxy taking the whole quota");

        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(Quota: new NamespaceQuota { OpsPerSecond = 0 }));
        Assert.Equal(new NamespaceQuota { MaxConnections = 10 }, (await cluster.Client.GetNamespaceAsync(TenantCluster.Alpha)).Quota);
        Assert.Contains("quota_ops_share:0\r\n", await InfoAsync(0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_over_the_quota_are_refused_at_AUTH_and_large_requests_are_refused()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var password = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        await cluster.LoginAsync(TenantCluster.Alpha, password);
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(Quota: new NamespaceQuota { MaxConnections = 3, MaxRequestBytes = 1000 }));
        await cluster.LoginAsync(TenantCluster.Alpha, password);
        var second = await cluster.LoginAsync(TenantCluster.Alpha, password);
        var third = await cluster.ConnectAsync();
        var refused = await third.CallAsync("AUTH", TenantCluster.Alpha, password);
        Reply.Error("ERR namespace 'alpha' is at its connection quota (3 on this proxy, its share of 3 cluster-wide)", refused);

        // Leaving frees a place.
        Reply.Ok(await second.CallAsync("QUIT"));
        await Eventually.TrueAsync(async () => (await (await cluster.ConnectAsync()).CallAsync("AUTH", TenantCluster.Alpha, password)).IsOk, TimeSpan.FromSeconds(10), "a place freed by QUIT");

        var client = await cluster.ConnectAsync();
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(Quota: new NamespaceQuota { MaxConnections = 0 }));
        Reply.Ok(await client.CallAsync("AUTH", TenantCluster.Alpha, password));
        Reply.Error("ERR request of 2", await client.CallAsync("SET", "big", new string('x', 2000)));
        Reply.Ok(await client.CallAsync("SET", "small", "x"));
    }

    [Fact]
    public async Task A_client_held_back_longer_than_the_bound_gets_an_error_naming_the_limit()
    {
        await using var cluster = await TenantCluster.StartAsync(quotaPatience: TimeSpan.FromMilliseconds(500));
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(Quota: new NamespaceQuota { OpsPerSecond = 5 }));
        await Eventually.TrueAsync(async () => (await alpha.CallAsync("INFO", "proxy")).AsString()!.Contains("quota_ops_share:5\r\n", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the proxy applying the quota");
        await Task.Delay(1100);

        await alpha.SendAsync(Enumerable.Range(0, 40).SelectMany(_ => RawConnection.Command("GET", "k")).ToArray());
        int errors = 0;
        string? error = null;
        for (int i = 0; i < 40; i++)
        {
            var reply = (await alpha.ReadAsync(TimeSpan.FromSeconds(20)))!;
            if (reply.IsError)
            {
                errors++;
                error = reply.AsString();
            }
        }

        Assert.True(errors > 0, "a client 8x over its quota for several seconds got no error");
        Assert.StartsWith("ERR namespace 'alpha' is over its quota of 5 ops/s (cluster-wide) for more than 0.5 s", error, StringComparison.Ordinal);
    }
}
