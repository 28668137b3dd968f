using Tessera.Local.Servers;

namespace Tessera.Clients.Tests.Differential;

/// <summary>
/// What the differential tests compare: one plain redis-server, and a proxy over two groups of redis-server
/// (a <see cref="ProxyCluster"/>). Both are emptied before each case.
/// </summary>
public sealed class DifferentialServers : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("tessera-differential");
    private RedisServers? _plain;

    public ProxyCluster Proxy { get; } = new();

    public int PlainPort => _plain![0].Port;

    /// <summary>The masters behind the proxy, where its blocked commands wait.</summary>
    public IReadOnlyList<int> MasterPorts => [.. Proxy.Cluster.Groups.Select(g => g.Master.Port)];

    public async Task InitializeAsync()
    {
        var plain = RedisServers.StartAsync(_directory, 1);
        await Task.WhenAll(plain, Proxy.InitializeAsync());
        _plain = await plain;
    }

    /// <summary>FLUSHALL and SCRIPT FLUSH on the plain server and on each group's master (directly: the proxy refuses FLUSHALL).</summary>
    public async Task ResetAsync()
    {
        await Task.WhenAll(Proxy.Cluster.Groups.Select(g => g.Master).Append(_plain![0]).Select(ResetAsync));
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        if (_plain is not null)
        {
            await _plain.DisposeAsync();
        }

        _directory.Dispose();
    }

    private static async Task ResetAsync(RedisServerProcess server)
    {
        await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(5));
        client.Timeout = TimeSpan.FromSeconds(5);
        Reply.Ok(await client.CallAsync("FLUSHALL"));
        Reply.Ok(await client.CallAsync("SCRIPT", "FLUSH"));
        Reply.Ok(await client.CallAsync("FUNCTION", "FLUSH"));
    }
}
