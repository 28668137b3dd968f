using Tessera.Clients.Tests.Support;
using Xunit.Abstractions;

namespace Tessera.Clients.Tests.Cluster;

/// <summary>
/// redis-py's RedisCluster, ioredis's Cluster and node-redis's createCluster against three proxies with the cluster
/// face on (tests/clients/python/cluster.py, tests/clients/node/*-cluster.mjs): keys spread over both groups,
/// multi-key commands on hash-tagged keys, and a loop that keeps running while one proxy leaves and another joins.
/// </summary>
[Collection(FaceCollection.Name)]
public sealed class ClusterScriptTests(FaceClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] Areas = ["spread", "multikey", "churn"];

    private async Task RunAsync(string owner, Func<IReadOnlyList<int>, string, Task<ScriptRun>> start)
    {
        string prefix = ProxyCluster.NewPrefix(owner);
        ScriptRun? run = null;
        await ProxyChurn.AroundAsync(fixture.Face, prefix, async ports => run = await start(ports, prefix), output);
        output.WriteLine(run!.Stdout);
        ClientTools.AssertPassed(run, Areas);
        ProxyChurn.AssertChurn(ClientTools.Detail(run, "churn"), output);
    }

    [Fact]
    public Task RedisPy_RedisCluster_spreads_keys_runs_multikey_commands_and_rides_a_leave_and_a_join() =>
        RunAsync("pyc", (ports, prefix) => ClientTools.RunPythonClusterAsync(ports, prefix, ProxyChurn.LoopSeconds, Areas));

    [Fact]
    public Task Ioredis_Cluster_spreads_keys_runs_multikey_commands_and_rides_a_leave_and_a_join() =>
        RunAsync("ioc", (ports, prefix) => ClientTools.RunNodeClusterAsync("ioredis-cluster.mjs", ports, prefix, ProxyChurn.LoopSeconds, Areas));

    [Fact]
    public Task NodeRedis_createCluster_spreads_keys_runs_multikey_commands_and_rides_a_leave_and_a_join() =>
        RunAsync("nrc", (ports, prefix) => ClientTools.RunNodeClusterAsync("node-redis-cluster.mjs", ports, prefix, ProxyChurn.LoopSeconds, Areas));
}
