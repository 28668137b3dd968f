using System.Net;
using Tessera.Proxy;
using Tessera.Local.Clusters;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;

namespace Tessera.Testing;

/// <summary>
/// Real redis-server groups (started by <see cref="LocalCluster"/> on free loopback ports) behind a real in-process
/// proxy listening on a free port. As a class or collection fixture it is started once and shared; tests sharing it
/// keep apart by their own key prefix (<see cref="NewPrefix"/>). Everything is stopped on dispose.
/// </summary>
public sealed class ProxyCluster : IAsyncLifetime
{
    private readonly int _groups;
    private readonly int _replicas;
    private readonly ProxyOptions? _options;
    private TempDirectory? _directory;

    /// <summary>Two groups without replicas: what most data-path tests need.</summary>
    public ProxyCluster()
        : this(2, 0)
    {
    }

    /// <summary>
    /// Another shape, for a test class that starts the cluster itself. Internal (visible to the test projects, see
    /// the csproj): xunit wants a fixture to have exactly one public constructor.
    /// </summary>
    internal ProxyCluster(int groups, int replicas, ProxyOptions? options = null)
    {
        _groups = groups;
        _replicas = replicas;
        _options = options;
    }

    public LocalCluster Cluster { get; private set; } = null!;

    public ProxyServer Proxy { get; private set; } = null!;

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port => Proxy.Endpoint.Port;

    public async Task InitializeAsync()
    {
        _directory = new TempDirectory("tessera-proxy-cluster");
        Cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = _directory.Path, Groups = _groups, Replicas = _replicas });
        var options = (_options ?? new ProxyOptions()) with { Listen = new IPEndPoint(IPAddress.Loopback, 0) };
        Proxy = await ProxyServer.StartAsync(options, Cluster.Topology);
    }

    public Task<RespClient> ConnectAsync() => RespClient.ConnectAsync("127.0.0.1", Port, TimeSpan.FromSeconds(10));

    /// <summary>A client straight to group <paramref name="groupId"/>'s master, bypassing the proxy.</summary>
    public Task<RespClient> ConnectToMasterAsync(int groupId) => Cluster.Groups.Single(g => g.Id == groupId).Master.ConnectAsync(TimeSpan.FromSeconds(10));

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

        _directory?.Dispose();
    }
}
