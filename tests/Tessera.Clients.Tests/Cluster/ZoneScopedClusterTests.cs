using Tessera.Clients.Tests.Support;
using Tessera.Model.Topology;
using Xunit.Abstractions;

namespace Tessera.Clients.Tests.Cluster;

/// <summary>
/// redis-py's RedisCluster against face proxies in two zones while the namespace reads nearest: seeded with the az1
/// proxies, its table names only them, and the az2 proxies see none of its commands.
/// </summary>
public sealed class ZoneScopedClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_cluster_client_in_az1_only_uses_az1_proxies()
    {
        await using var face = await FaceCluster.StartAsync(new FaceClusterOptions
        {
            Proxies = 4,
            Groups = 2,
            Zones = ["az1", "az2"],
            Reads = new ReadSettings { Mode = ReadMode.Nearest },
        });
        int[] az1 = [.. new[] { face.Ports[0], face.Ports[2] }.Order()];
        int[] az2 = [face.Ports[1], face.Ports[3]];
        await Eventually.TrueAsync(async () => (await FaceCluster.ListedPortsAsync(az1[0])).SequenceEqual(az1) && (await FaceCluster.ListedPortsAsync(az1[1])).SequenceEqual(az1), FaceCluster.AgreeTimeout, "the az1 proxies listing exactly the az1 proxies");
        var before = await Task.WhenAll(az2.Select(ProxyChurn.CommandsProcessedAsync));

        string prefix = ProxyCluster.NewPrefix("pyz");
        string[] areas = ["spread", "multikey"];
        var run = await ClientTools.RunPythonClusterAsync(az1, prefix, 0, areas);
        output.WriteLine(run.Stdout);
        ClientTools.AssertPassed(run, areas);
        await ProxyChurn.AssertSpreadAsync(face, prefix, output);
        Assert.Equal(az1, ClientTools.Detail(run, "spread").GetProperty("nodes").EnumerateArray().Select(static n => n.GetInt32()).Order());

        // Only the INFO calls of this count reached the az2 proxies.
        var after = await Task.WhenAll(az2.Select(ProxyChurn.CommandsProcessedAsync));
        Assert.Equal(before.Select(static n => n + 1), after);
    }
}
