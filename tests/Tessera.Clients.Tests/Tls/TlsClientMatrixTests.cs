using System.Text.Json;
using StackExchange.Redis;
using Tessera.Clients.Tests.Cluster;
using Tessera.Clients.Tests.DotNet;
using Tessera.Clients.Tests.RedisCli;
using Tessera.Clients.Tests.Support;
using Xunit.Abstractions;

namespace Tessera.Clients.Tests.Tls;

/// <summary>
/// The client matrix over TLS: redis-py, ioredis, node-redis, redis-cli and StackExchange.Redis, each standalone
/// (against the proxy with the face off) and in cluster mode (against the two face proxies), connect to the proxies'
/// TLS listeners verifying the server certificate against the test CA and presenting a client certificate (mutual
/// TLS), and run the same workloads as over plain TCP (the same scripts and test code, given the TLS options): keys
/// over both groups, multi-key commands, values checked. In cluster mode the table a TLS connection is given must name
/// the proxies' TLS ports (the clients then reach every proxy over TLS), while a plain connection is given the plain ones.
/// </summary>
[Collection(TlsFaceCollection.Name)]
public sealed class TlsClientMatrixTests(TlsFaceClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] StandaloneAreas = ["mget", "hashtags"];
    private static readonly string[] ClusterAreas = ["spread", "multikey"];

    private IReadOnlyList<int> TlsPorts => fixture.Face.TlsPorts;

    private int[] SortedTlsPorts => [.. TlsPorts.Order()];

    /// <summary>A cluster script's spread and multikey areas over TLS; its keys on both groups; what the client's table named.</summary>
    private async Task<JsonElement> RunClusterAsync(string owner, Func<string, Task<ScriptRun>> start)
    {
        string prefix = ProxyCluster.NewPrefix(owner);
        var run = await start(prefix);
        output.WriteLine(run.Stdout);
        ClientTools.AssertPassed(run, ClusterAreas);
        await ProxyChurn.AssertSpreadAsync(fixture.Face, prefix, output);
        return ClientTools.Detail(run, "spread").GetProperty("nodes");
    }

    private static int[] Ports(JsonElement nodes) => [.. nodes.EnumerateArray().Select(static n => n.GetInt32()).Order()];

    [Fact]
    public Task RedisPy_Redis_over_mutual_TLS() =>
        ClientTools.RunPythonAsync(fixture.Tls, fixture.StandaloneTlsPort, ProxyCluster.NewPrefix("pyt"), StandaloneAreas);

    [Fact]
    public async Task RedisPy_RedisCluster_over_mutual_TLS_is_given_the_TLS_ports()
    {
        var nodes = await RunClusterAsync("pyct", prefix => ClientTools.RunPythonClusterAsync(fixture.Tls, TlsPorts, prefix, 0, ClusterAreas));
        Assert.Equal(SortedTlsPorts, Ports(nodes));
    }

    [Fact]
    public Task Ioredis_Redis_over_mutual_TLS() =>
        ClientTools.RunNodeAsync(fixture.Tls, "ioredis-smoke.mjs", fixture.StandaloneTlsPort, ProxyCluster.NewPrefix("iot"), StandaloneAreas);

    [Fact]
    public async Task Ioredis_Cluster_over_mutual_TLS_is_given_the_TLS_ports()
    {
        var nodes = await RunClusterAsync("ioct", prefix => ClientTools.RunNodeClusterAsync(fixture.Tls, "ioredis-cluster.mjs", TlsPorts, prefix, 0, ClusterAreas));
        Assert.Equal(SortedTlsPorts, Ports(nodes));
    }

    [Fact]
    public Task NodeRedis_createClient_over_mutual_TLS() =>
        ClientTools.RunNodeAsync(fixture.Tls, "node-redis-smoke.mjs", fixture.StandaloneTlsPort, ProxyCluster.NewPrefix("nrt"), StandaloneAreas);

    [Fact]
    public async Task NodeRedis_createCluster_over_mutual_TLS_is_given_the_TLS_ports()
    {
        var nodes = await RunClusterAsync("nrct", prefix => ClientTools.RunNodeClusterAsync(fixture.Tls, "node-redis-cluster.mjs", TlsPorts, prefix, 0, ClusterAreas));
        Assert.Equal(SortedTlsPorts, Ports(nodes.GetProperty("ports")));
    }

    [Fact]
    public Task RedisCli_over_mutual_TLS() => RedisCliTests.PipedAsync(fixture.StandaloneTlsPort, fixture.Tls);

    [Fact]
    public async Task RedisCli_cluster_mode_over_mutual_TLS_is_given_the_TLS_ports_and_plain_connections_the_plain_ones()
    {
        string p = ProxyCluster.NewPrefix("clict");
        await RedisCliClusterTests.SessionAsync(TlsPorts[0], p, fixture.Tls);
        await ProxyChurn.AssertSpreadAsync(fixture.Face, p, output);

        // --cluster check over TLS reads every proxy's table over TLS: it names the TLS ports, one consistent table.
        await RedisCliClusterTests.ClusterCheckAsync(TlsPorts, fixture.Tls, output);

        // The same proxies asked over their plain listener name the plain ports.
        int[] plain = [.. fixture.Face.Ports.Order()];
        Assert.Equal(plain, await FaceCluster.ListedPortsAsync(fixture.Face.Ports[0]));
    }

    [Fact]
    public Task StackExchangeRedis_standalone_over_mutual_TLS() => StackExchangeRedisStandaloneTests.RunAsync(fixture.StandaloneTlsPort, fixture.Tls);

    [Fact]
    public async Task StackExchangeRedis_cluster_mode_over_mutual_TLS_is_given_the_TLS_ports()
    {
        string p = ProxyCluster.NewPrefix("sect");
        await using var mux = await ConnectionMultiplexer.ConnectAsync(StackExchangeSettings.For(TlsPorts, fixture.Tls));
        await StackExchangeRedisClusterTests.SpreadAndMultikeyAsync(mux, TlsPorts, p);
        await ProxyChurn.AssertSpreadAsync(fixture.Face, p, output);
    }
}
