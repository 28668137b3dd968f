using System.Text.Json;
using StackExchange.Redis;
using Tessera.Clients.Tests.Cluster;
using Tessera.Clients.Tests.Support;
using Xunit.Abstractions;

namespace Tessera.Clients.Tests.DotNet;

/// <summary>
/// Connection settings shared by both modes and both transports: bounded timeouts, no giving up when a server is down
/// at connect, and with <paramref name="tls"/> TLS verified against its CA (presenting its client certificate when it has one).
/// </summary>
internal static class StackExchangeSettings
{
    public static ConfigurationOptions For(IEnumerable<int> ports, ClientTls? tls = null)
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
            ConnectRetry = 3,
        };
        foreach (int port in ports)
        {
            options.EndPoints.Add("127.0.0.1", port);
        }

        if (tls is not null)
        {
            options.Ssl = true;
            options.SslHost = "127.0.0.1";
            options.CheckCertificateRevocation = false; // the test CA publishes no revocation list
            options.TrustIssuer(tls.CaFile);
            if (tls.CertificateFile is { } certificate)
            {
                options.SetUserPemCertificate(certificate, tls.KeyFile);
            }
        }

        return options;
    }
}

/// <summary>
/// StackExchange.Redis against a proxy with the cluster face off, as a standalone server: it asks CLUSTER NODES,
/// gets the refusal and treats the proxy as one server; keys across groups, multi-key commands the proxy splits,
/// a transaction with a condition, pub/sub and a large batch.
/// </summary>
[Collection(ProxyCollection.Name)]
public sealed class StackExchangeRedisStandaloneTests(ProxyCluster proxy)
{
    [Fact]
    public Task Standalone_keys_multikey_transaction_pubsub_and_batch() => RunAsync(proxy.Port, null);

    /// <summary>The standalone workload against the proxy on <paramref name="port"/>, over <paramref name="tls"/> when given.</summary>
    internal static async Task RunAsync(int port, ClientTls? tls)
    {
        string p = ProxyCluster.NewPrefix("se");
        await using var mux = await ConnectionMultiplexer.ConnectAsync(StackExchangeSettings.For([port], tls));
        Assert.True(mux.IsConnected);
        Assert.Equal(ServerType.Standalone, mux.GetServer("127.0.0.1", port).ServerType);
        var db = mux.GetDatabase();

        var keys = Enumerable.Range(0, 100).Select(i => (RedisKey)$"{p}:k:{i}").ToArray();
        Assert.True(await db.StringSetAsync([.. keys.Select((k, i) => KeyValuePair.Create(k, (RedisValue)i))]));
        var values = await db.StringGetAsync(keys);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (RedisValue)i), values);
        Assert.Equal(100, await db.KeyExistsAsync(keys));

        string tag = "{" + p + ":t}";
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.KeyNotExists($"{tag}guard"));
        var set = transaction.StringSetAsync($"{tag}a", "1");
        var incr = transaction.StringIncrementAsync($"{tag}n");
        Assert.True(await transaction.ExecuteAsync());
        Assert.True(await set);
        Assert.Equal(1, await incr);

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = RedisChannel.Literal($"{p}:chan");
        await mux.GetSubscriber().SubscribeAsync(channel, (_, message) => received.TrySetResult(message!));
        Assert.Equal(1, await db.PublishAsync(channel, "hello"));
        Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        var batch = db.CreateBatch();
        var sets = Enumerable.Range(0, 1000).Select(i => batch.StringSetAsync($"{p}:b:{i}", i)).ToArray();
        var gets = Enumerable.Range(0, 1000).Select(i => batch.StringGetAsync($"{p}:b:{i}")).ToArray();
        batch.Execute();
        Assert.All(await Task.WhenAll(sets), Assert.True);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (RedisValue)i), await Task.WhenAll(gets));
        Assert.Equal(200, await db.KeyDeleteAsync([.. keys, .. Enumerable.Range(0, 100).Select(i => (RedisKey)$"{p}:b:{i}")]));
    }
}

/// <summary>
/// StackExchange.Redis in cluster mode against three proxies with the cluster face on: it reads CLUSTER NODES, sends
/// each key to the proxy its table names, runs multi-key commands on hash-tagged keys, and keeps working while one
/// proxy leaves and another joins.
/// </summary>
[Collection(FaceCollection.Name)]
public sealed class StackExchangeRedisClusterTests(FaceClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Cluster_mode_spreads_keys_runs_multikey_commands_and_rides_a_leave_and_a_join()
    {
        string p = ProxyCluster.NewPrefix("sec");
        object? churn = null;
        await ProxyChurn.AroundAsync(fixture.Face, p, async ports =>
        {
            var options = StackExchangeSettings.For(ports);
            await using var mux = await ConnectionMultiplexer.ConnectAsync(options);
            var db = await SpreadAndMultikeyAsync(mux, ports, p);
            churn = await ChurnAsync(db, p);
            output.WriteLine($"StackExchange.Redis's table at the end: {string.Join(", ", mux.GetServers().Where(s => s.IsConnected).Select(s => s.EndPoint))}");
        }, output);

        ProxyChurn.AssertChurn(JsonSerializer.SerializeToElement(churn), output);
    }

    /// <summary>
    /// Checks the multiplexer (seeded with <paramref name="ports"/>) is in cluster mode with exactly those proxies in its
    /// table, then writes and reads the spread area's 300 keys and runs multi-key commands on hash-tagged keys.
    /// </summary>
    internal static async Task<IDatabase> SpreadAndMultikeyAsync(ConnectionMultiplexer mux, IReadOnlyList<int> ports, string p)
    {
        var server = mux.GetServer("127.0.0.1", ports[0]);
        Assert.Equal(ServerType.Cluster, server.ServerType);
        var cluster = mux.GetServer("127.0.0.1", ports[0]).ClusterConfiguration;
        Assert.NotNull(cluster);
        Assert.Equal(ports.Order(), cluster!.Nodes.Select(n => ((System.Net.IPEndPoint)n.EndPoint!).Port).Order());
        var db = mux.GetDatabase();

        // Spread: 300 keys, each sent to the proxy that the table names for its slot.
        for (int i = 0; i < 300; i++)
        {
            Assert.True(await db.StringSetAsync($"{p}:spread:{i}", i));
        }

        for (int i = 0; i < 300; i++)
        {
            Assert.Equal(i, (int)await db.StringGetAsync($"{p}:spread:{i}"));
        }

        // Multi-key on hash-tagged keys (StackExchange.Redis refuses keys of different slots in one command itself).
        string tag = "{" + p + ":t}";
        Assert.True(await db.StringSetAsync([KeyValuePair.Create((RedisKey)$"{tag}a", (RedisValue)"1"), KeyValuePair.Create((RedisKey)$"{tag}b", (RedisValue)"2")]));
        Assert.Equal(["1", "2"], (await db.StringGetAsync([$"{tag}a", $"{tag}b"])).Select(v => (string)v!));
        await db.SetAddAsync($"{tag}s1", ["x", "y"]);
        await db.SetAddAsync($"{tag}s2", ["y", "z"]);
        Assert.Equal(3, await db.SetCombineAndStoreAsync(SetOperation.Union, $"{tag}s3", $"{tag}s1", $"{tag}s2"));
        var transaction = db.CreateTransaction();
        var txSet = transaction.StringSetAsync($"{tag}tx", "v");
        Assert.True(await transaction.ExecuteAsync());
        Assert.True(await txSet);
        Assert.Equal(2, await db.KeyDeleteAsync([$"{tag}a", $"{tag}b"]));
        return db;
    }

    /// <summary>SET/GET for <see cref="ProxyChurn.LoopSeconds"/>, errors counted; then every key must hold its last value.</summary>
    private static async Task<object> ChurnAsync(IDatabase db, string p)
    {
        await db.StringSetAsync($"{p}:churn:started", 1);
        var errors = new List<object>();
        var last = new Dictionary<string, int>();
        int ok = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; clock.Elapsed.TotalSeconds < ProxyChurn.LoopSeconds; i++)
        {
            string key = $"{p}:churn:{i % 64}";
            try
            {
                await db.StringSetAsync(key, i);
                last[key] = i;
                if ((int)await db.StringGetAsync(key) == i)
                {
                    ok++;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                errors.Add(new { at = Math.Round(clock.Elapsed.TotalSeconds, 2), error = $"{ex.GetType().Name}: {ex.Message}" });
                await Task.Delay(50);
            }

            await Task.Delay(5);
        }

        foreach (var (key, value) in last)
        {
            Assert.Equal(value, (int)await db.StringGetAsync(key));
        }

        return new { ok, errors, nodes = Array.Empty<int>() };
    }
}
