using System.Net;
using System.Text.Json;
using Tessera.Local.Clusters;
using Tessera.Model.Api;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;
using Tessera.Store;

namespace Tessera.Testing;

/// <summary>
/// Real redis-server groups (a <see cref="LocalCluster"/>) behind several in-process proxies with the cluster face on
/// (<see cref="ProxyOptions.ClusterFace"/>) that take the open namespace "default" from one file store and register
/// there, so each lists the others in CLUSTER SLOTS/NODES. Proxies can be stopped and started while clients run.
/// </summary>
public sealed class FaceCluster : IAsyncDisposable
{
    /// <summary>Bound on the proxies' tables agreeing on a new set of members (the store's watch takes ~50 ms).</summary>
    public static readonly TimeSpan AgreeTimeout = TimeSpan.FromSeconds(10);

    private readonly List<ProxyServer> _proxies = [];
    private readonly TempDirectory _directory;

    private FaceCluster(TempDirectory directory, LocalCluster cluster)
    {
        _directory = directory;
        Cluster = cluster;
    }

    public LocalCluster Cluster { get; }

    public string StoreUrl => _directory.StoreUrl;

    /// <summary>The running proxies, in start order.</summary>
    public IReadOnlyList<ProxyServer> Proxies => _proxies;

    /// <summary>The running proxies' ports on 127.0.0.1.</summary>
    public IReadOnlyList<int> Ports => [.. _proxies.Select(static p => p.Endpoint.Port)];

    /// <summary>Starts <paramref name="groups"/> redis-servers and <paramref name="proxies"/> proxies, and waits (bounded) until every proxy lists all of them.</summary>
    public static async Task<FaceCluster> StartAsync(int proxies = 3, int groups = 2)
    {
        var directory = new TempDirectory("tessera-face");
        LocalCluster? local = null;
        try
        {
            local = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = directory.Sub("redis"), Groups = groups, Replicas = 0 });
            var face = new FaceCluster(directory, local);
            try
            {
                await using (var store = StoreFactory.Open(directory.StoreUrl))
                {
                    await TestTokens.ClusterSecretAsync(store);
                    var ns = local.Topology.Namespaces[0] with { Open = true, Epoch = 1 };
                    await store.PutAsync(StorePaths.Namespace(ns.Name), JsonSerializer.Serialize(ns, TesseraJson.Options));
                }

                for (int i = 0; i < proxies; i++)
                {
                    await face.StartProxyAsync();
                }

                await face.WaitForAgreementAsync();
                return face;
            }
            catch
            {
                await face.DisposeAsync();
                throw;
            }
        }
        catch
        {
            if (local is null)
            {
                directory.Dispose();
            }

            throw;
        }
    }

    /// <summary>Starts one more proxy with the face on (it registers; the others list it within moments).</summary>
    public async Task<ProxyServer> StartProxyAsync()
    {
        var proxy = await ProxyServer.StartWithStoreAsync(
            new ProxyOptions
            {
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                LeaseTtl = TimeSpan.FromSeconds(3),
                ClusterFace = true,
                ClusterLeaveGrace = TimeSpan.FromSeconds(1),
            },
            StoreUrl);
        _proxies.Add(proxy);
        return proxy;
    }

    /// <summary>Stops the proxy on <paramref name="port"/> (it leaves the table, deregisters, waits its grace, drains, closes).</summary>
    public async Task StopProxyAsync(int port)
    {
        var proxy = _proxies.Single(p => p.Endpoint.Port == port);
        _proxies.Remove(proxy);
        await proxy.DisposeAsync();
    }

    /// <summary>The ports in proxy <paramref name="port"/>'s CLUSTER NODES, sorted.</summary>
    public static async Task<int[]> ListedPortsAsync(int port)
    {
        await using var client = await RespClient.ConnectAsync("127.0.0.1", port, TimeSpan.FromSeconds(5));
        string nodes = (await client.CallAsync("CLUSTER", "NODES")).AsString() ?? "";
        return [.. nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(static line => line.Split(' ')[1])
            .Select(static address => int.Parse(address[(address.LastIndexOf(':') + 1)..address.IndexOf('@')], System.Globalization.CultureInfo.InvariantCulture))
            .Order()];
    }

    /// <summary>Waits (bounded) until every running proxy's CLUSTER NODES lists exactly the running proxies.</summary>
    public async Task WaitForAgreementAsync()
    {
        int[] expected = [.. Ports.Order()];
        await Eventually.TrueAsync(async () =>
        {
            foreach (int port in expected)
            {
                if (!(await ListedPortsAsync(port)).SequenceEqual(expected))
                {
                    return false;
                }
            }

            return true;
        }, AgreeTimeout, $"every proxy listing exactly {string.Join(", ", expected)}");
    }

    /// <summary>The number of keys on each group's master (bypassing the proxies), by group id.</summary>
    public async Task<Dictionary<int, long>> KeysPerGroupAsync(string pattern)
    {
        var counts = new Dictionary<int, long>();
        foreach (var group in Cluster.Groups)
        {
            await using var client = await group.Master.ConnectAsync(TimeSpan.FromSeconds(5));
            var keys = await client.CallAsync("KEYS", pattern);
            counts[group.Id] = keys.Items?.Count ?? 0;
        }

        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        _proxies.Clear();
        await Cluster.DisposeAsync();
        _directory.Dispose();
    }
}
