using System.Net;
using Tessera.Local.Clusters;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;

namespace Tessera.Clients.Tests.Support;

/// <summary>
/// Two real redis-server groups (no replicas) behind a real in-process proxy on a free loopback port, shared by
/// every test of the "proxy" collection: starting it once keeps the suite fast, and tests keep apart by using
/// their own key prefix (<see cref="NewPrefix"/>). Everything is stopped on dispose.
/// </summary>
public sealed class ProxyCluster : IAsyncLifetime
{
    private string _directory = "";

    public LocalCluster Cluster { get; private set; } = null!;

    public ProxyServer Proxy { get; private set; } = null!;

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port => Proxy.Endpoint.Port;

    public async Task InitializeAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "tessera-clients-tests", Guid.NewGuid().ToString("N"));
        Cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = _directory, Groups = 2, Replicas = 0 });
        Proxy = await ProxyServer.StartAsync(new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) }, Cluster.Topology);
    }

    public Task<RespClient> ConnectAsync() => RespClient.ConnectAsync("127.0.0.1", Port, TimeSpan.FromSeconds(10));

    /// <summary>A key prefix no other test uses, so tests sharing the cluster never see each other's keys.</summary>
    public static string NewPrefix(string owner) => $"{owner}:{Guid.NewGuid():N}"[..(owner.Length + 13)];

    public async Task DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A server still writing its log; the temp folder is cleaned by the OS eventually.
        }
    }
}

/// <summary>Tests that share one <see cref="ProxyCluster"/> (they run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ProxyCollection : ICollectionFixture<ProxyCluster>
{
    public const string Name = "proxy";
}
