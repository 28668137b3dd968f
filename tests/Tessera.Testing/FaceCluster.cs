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
/// With <see cref="FaceClusterOptions.Tls"/> every proxy also has a second, TLS, client listener (<see cref="TlsPorts"/>);
/// with <see cref="FaceClusterOptions.Zones"/> the proxies are spread over zones.
/// </summary>
public sealed class FaceCluster : IAsyncDisposable
{
    /// <summary>Bound on the proxies' tables agreeing on a new set of members (the store's watch takes ~50 ms).</summary>
    public static readonly TimeSpan AgreeTimeout = TimeSpan.FromSeconds(10);

    private readonly List<ProxyServer> _proxies = [];
    private readonly List<ProxyServer> _standalone = [];
    private readonly TempDirectory _directory;
    private readonly FaceClusterOptions _options;

    private FaceCluster(TempDirectory directory, LocalCluster cluster, FaceClusterOptions options)
    {
        _directory = directory;
        Cluster = cluster;
        _options = options;
    }

    public LocalCluster Cluster { get; }

    public string StoreUrl => _directory.StoreUrl;

    /// <summary>The running proxies, in start order.</summary>
    public IReadOnlyList<ProxyServer> Proxies => _proxies;

    /// <summary>The running proxies' ports on 127.0.0.1.</summary>
    public IReadOnlyList<int> Ports => [.. _proxies.Select(static p => p.Endpoint.Port)];

    /// <summary>The running proxies' TLS listeners' ports on 127.0.0.1 (with <see cref="FaceClusterOptions.Tls"/>), in start order.</summary>
    public IReadOnlyList<int> TlsPorts => [.. _proxies.Select(static p => p.TlsEndpoint?.Port ?? throw new InvalidOperationException("the face cluster has no TLS"))];

    /// <summary>Starts <paramref name="groups"/> redis-servers and <paramref name="proxies"/> proxies, and waits (bounded) until every proxy lists all of them.</summary>
    public static Task<FaceCluster> StartAsync(int proxies = 3, int groups = 2) => StartAsync(new FaceClusterOptions { Proxies = proxies, Groups = groups });

    /// <summary>Starts the cluster <paramref name="options"/> describe, and waits (bounded) until every proxy lists all of them.</summary>
    public static async Task<FaceCluster> StartAsync(FaceClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int proxies = options.Proxies, groups = options.Groups;
        var directory = new TempDirectory("tessera-face");
        LocalCluster? local = null;
        try
        {
            local = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = directory.Sub("redis"), Groups = groups, Replicas = 0 });
            var face = new FaceCluster(directory, local, options);
            try
            {
                await using (var store = StoreFactory.Open(directory.StoreUrl))
                {
                    await TestTokens.ClusterSecretAsync(store);
                    var ns = local.Topology.Namespaces[0] with { Open = true, Epoch = 1, Reads = options.Reads };
                    await store.PutAsync(StorePaths.Namespace(ns.Name), JsonSerializer.Serialize(ns, TesseraJson.Options));
                }

                for (int i = 0; i < proxies; i++)
                {
                    await face.StartProxyAsync(options.Zones is { Count: > 0 } zones ? zones[i % zones.Count] : null);
                }

                // Zone-scoped tables differ by zone; the full table is what a plain check compares.
                if (options.Reads?.Mode != Tessera.Model.Topology.ReadMode.Nearest)
                {
                    await face.WaitForAgreementAsync();
                }
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

    /// <summary>Starts one more proxy with the face on (it registers; the others list it within moments), in <paramref name="zone"/> when given.</summary>
    public async Task<ProxyServer> StartProxyAsync(string? zone = null)
    {
        var proxy = await ProxyServer.StartWithStoreAsync(Options(zone, clusterFace: true), StoreUrl);
        _proxies.Add(proxy);
        return proxy;
    }

    /// <summary>
    /// Starts a proxy of the same store, groups and TLS with the face off (a standalone server to clients, in no
    /// table; not in <see cref="Proxies"/>), for standalone clients next to the cluster ones. Stopped on dispose.
    /// </summary>
    public async Task<ProxyServer> StartStandaloneProxyAsync()
    {
        var proxy = await ProxyServer.StartWithStoreAsync(Options(null, clusterFace: false), StoreUrl);
        _standalone.Add(proxy);
        return proxy;
    }

    private ProxyOptions Options(string? zone, bool clusterFace) => new()
    {
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        LeaseTtl = TimeSpan.FromSeconds(3),
        ClusterFace = clusterFace,
        ClusterLeaveGrace = TimeSpan.FromSeconds(1),
        Zone = zone,
        Tls = _options.Tls,

        // With TLS, a second client listener: Listen stays plain (what the fixture's own checks use), the TLS one is
        // what TLS clients are given, by CLUSTER SLOTS/NODES/SHARDS too.
        TlsListen = _options.Tls is null ? null : new IPEndPoint(IPAddress.Loopback, 0),
    };

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
        foreach (var proxy in _standalone)
        {
            await proxy.DisposeAsync();
        }

        _standalone.Clear();
        await Cluster.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>The shape of a <see cref="FaceCluster"/>.</summary>
public sealed record FaceClusterOptions
{
    public int Proxies { get; init; } = 3;

    public int Groups { get; init; } = 2;

    /// <summary>Certificate, key and (for mutual TLS) client CA of a second, TLS, client listener on every proxy; null: plain only.</summary>
    public Tessera.Model.Security.TlsFiles? Tls { get; init; }

    /// <summary>Zones the proxies are started in, round robin; null or empty: no zones.</summary>
    public IReadOnlyList<string>? Zones { get; init; }

    /// <summary>The namespace's read settings (e.g. mode nearest); null: the default (master).</summary>
    public Tessera.Model.Topology.ReadSettings? Reads { get; init; }
}
