using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Resp.Client;
using Tessera.Store;

namespace Tessera.Proxy.Tests.Cluster;

/// <summary>
/// The zone-scoped cluster table on real store-backed proxies in two zones (and a third with one proxy): while the
/// namespace reads nearest, each proxy lists only the face proxies of its own zone, and both proxies of a zone answer
/// the same table; with another read mode every proxy lists all of them again.
/// </summary>
public sealed class ClusterZoneTests
{
    [Fact]
    public async Task With_nearest_reads_a_proxy_lists_its_own_zones_proxies_and_otherwise_all()
    {
        await using var face = await FaceCluster.StartAsync(new FaceClusterOptions
        {
            Proxies = 4,
            Groups = 1,
            Zones = ["az1", "az2"],
            Reads = new ReadSettings { Mode = ReadMode.Nearest },
        });
        var lonely = await face.StartProxyAsync("az3");
        var ports = face.Ports;
        int[] az1 = [.. new[] { ports[0], ports[2] }.Order()];
        int[] az2 = [.. new[] { ports[1], ports[3] }.Order()];
        var zoneOf = new Dictionary<int, int[]> { [ports[0]] = az1, [ports[2]] = az1, [ports[1]] = az2, [ports[3]] = az2, [lonely.Endpoint.Port] = [lonely.Endpoint.Port] };

        await Eventually.TrueAsync(async () =>
        {
            foreach (var (port, expected) in zoneOf)
            {
                if (!(await FaceCluster.ListedPortsAsync(port)).SequenceEqual(expected))
                {
                    return false;
                }
            }

            return true;
        }, FaceCluster.AgreeTimeout, "every proxy listing exactly the proxies of its zone");

        // One table per zone: the same ranges for the same proxies, whichever proxy of the zone is asked.
        Assert.Equal(await TableAsync(az1[0]), await TableAsync(az1[1]));
        Assert.Equal(await TableAsync(az2[0]), await TableAsync(az2[1]));
        Assert.Equal($"cluster_state:ok", (await InfoAsync(lonely.Endpoint.Port)).Split("\r\n")[0]);
        Assert.Contains("cluster_known_nodes:1\r\n", await InfoAsync(lonely.Endpoint.Port), StringComparison.Ordinal);
        Assert.Contains("cluster_known_nodes:2\r\n", await InfoAsync(az1[0]), StringComparison.Ordinal);

        // Reads back at the master: every proxy lists all five again.
        await using (var store = StoreFactory.Open(face.StoreUrl))
        {
            var ns = face.Cluster.Topology.Namespaces[0] with { Open = true, Epoch = 2, Reads = new ReadSettings { Mode = ReadMode.Master } };
            await store.PutAsync(StorePaths.Namespace(ns.Name), JsonSerializer.Serialize(ns, TesseraJson.Options));
        }

        await face.WaitForAgreementAsync();
        Assert.Equal(await TableAsync(az1[0]), await TableAsync(az2[1]));
    }

    /// <summary>CLUSTER NODES without the per-proxy fields (myself flag, pong time): "id host:port slots…" per line, sorted.</summary>
    private static async Task<string[]> TableAsync(int port)
    {
        await using var client = await RespClient.ConnectAsync("127.0.0.1", port, TimeSpan.FromSeconds(5));
        string nodes = (await client.CallAsync("CLUSTER", "NODES")).AsString() ?? "";
        return [.. nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(static line => line.Split(' '))
            .Select(static f => string.Join(' ', f.Take(2).Concat(f.Skip(8))))
            .Order(StringComparer.Ordinal)];
    }

    private static async Task<string> InfoAsync(int port)
    {
        await using var client = await RespClient.ConnectAsync("127.0.0.1", port, TimeSpan.FromSeconds(5));
        return (await client.CallAsync("CLUSTER", "INFO")).AsString() ?? "";
    }
}
