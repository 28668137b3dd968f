using System.Globalization;
using System.Net;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Servers;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Reads;

/// <summary>
/// Open namespace "reads" with two groups of one master and two replicas each, built through the controller API:
/// in each group the master and the first replica are in zone "a", the second replica in zone "b". Slots 0–511 on
/// group 1, 512–1023 on group 2. Two store-backed proxies, in zones "a" and "b".
/// </summary>
internal sealed class ReadCluster : IAsyncDisposable
{
    public const string Namespace = "reads";

    private readonly List<RawConnection> _connections = [];

    private ReadCluster(TempDirectory directory, RedisServers redis)
    {
        Directory = directory;
        Redis = redis;
    }

    /// <summary>With <c>relay: true</c>, group 1's master as the controller, proxies and replicas reach it: through a relay that can hold back replication.</summary>
    public ReplicationRelay? Relay { get; private set; }

    public TempDirectory Directory { get; }

    public RedisServers Redis { get; }

    public ControllerServer Controller { get; private set; } = null!;

    public ControllerClient Client { get; private set; } = null!;

    public List<ProxyServer> Proxies { get; } = [];

    /// <summary>Group <paramref name="group"/> (1 or 2)'s master.</summary>
    public RedisServerProcess Master(int group) => Redis[(group - 1) * 3];

    /// <summary>Group <paramref name="group"/>'s replica <paramref name="index"/>: 0 is in zone "a", 1 in zone "b".</summary>
    public RedisServerProcess Replica(int group, int index) => Redis[((group - 1) * 3) + 1 + index];

    public static async Task<ReadCluster> StartAsync(bool relay = false)
    {
        var directory = new TempDirectory();
        var redis = await RedisServers.StartAsync(directory, 6);
        var cluster = new ReadCluster(directory, redis);
        try
        {
            cluster.Relay = relay ? ReplicationRelay.Start(cluster.Master(1).Port) : null;
            cluster.Controller = await TestControllers.StartLeaderAsync(directory.StoreUrl);
            cluster.Client = cluster.Controller.Client();
            await cluster.Client.CreateNamespaceAsync(Namespace, open: true);
            for (int group = 1; group <= 2; group++)
            {
                await cluster.Client.CreateGroupAsync(Namespace, group);
                var master = group == 1 && cluster.Relay is { } r ? r.Endpoint : cluster.Master(group).Endpoint;
                await cluster.Client.AddServerAsync(Namespace, group, master, "a");
                await cluster.Client.AddServerAsync(Namespace, group, cluster.Replica(group, 0).Endpoint, "a");
                await cluster.Client.AddServerAsync(Namespace, group, cluster.Replica(group, 1).Endpoint, "b");
            }

            await cluster.Client.AssignSlotsAsync(Namespace, 0, 511, 1);
            await cluster.Client.AssignSlotsAsync(Namespace, 512, 1023, 2);
            foreach (var zone in new[] { "a", "b" })
            {
                cluster.Proxies.Add(await ProxyServer.StartWithStoreAsync(
                    new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Admin = new IPEndPoint(IPAddress.Loopback, 0), LeaseTtl = TimeSpan.FromSeconds(3), Zone = zone },
                    directory.StoreUrl));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection to proxy <paramref name="proxy"/> bound to the namespace, closed with the cluster.</summary>
    public async Task<RawConnection> ConnectAsync(int proxy = 0)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var connection = await RawConnection.ConnectAsync(Proxies[proxy].Endpoint.Port);
            var reply = await connection.CallAsync("AUTH", Namespace, "any");
            if (reply.IsOk)
            {
                _connections.Add(connection);
                return connection;
            }

            await connection.DisposeAsync();
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"proxy {proxy} still answers {reply} to AUTH {Namespace} after 10 s");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Changes the namespace's read settings through the API and waits until proxy <paramref name="proxy"/>'s sessions see the mode.</summary>
    public async Task SetReadsAsync(ReadSettingsChange change)
    {
        await Client.UpdateNamespaceAsync(Namespace, new UpdateNamespaceRequest(Reads: change));
        if (change.Mode is { } mode)
        {
            for (int p = 0; p < Proxies.Count; p++)
            {
                var connection = await ConnectAsync(p);
                await Eventually.TrueAsync(async () => Field(await InfoAsync(connection), "read_mode") == ReadSettings.Name(mode), TimeSpan.FromSeconds(10), $"proxy {p} serving read mode {ReadSettings.Name(mode)}");
            }
        }
    }

    /// <summary>Waits until every proxy counts <paramref name="fresh"/> fresh replicas in each group (as the controller last measured them).</summary>
    public async Task WaitFreshAsync(int group1, int group2, TimeSpan? timeout = null)
    {
        for (int p = 0; p < Proxies.Count; p++)
        {
            var connection = await ConnectAsync(p);
            await Eventually.TrueAsync(
                async () =>
                {
                    var info = await InfoAsync(connection);
                    return info.Contains($"group1:", StringComparison.Ordinal) && FreshOf(info, 1) == group1 && FreshOf(info, 2) == group2;
                },
                timeout ?? TimeSpan.FromSeconds(15),
                $"proxy {p} seeing {group1} and {group2} fresh replicas");
        }
    }

    public static async Task<string> InfoAsync(RawConnection connection) => (await connection.CallAsync("INFO", "proxy")).AsString() ?? "";

    public static string? Field(string info, string name) =>
        info.Split("\r\n").FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..];

    private static int FreshOf(string info, int group)
    {
        var line = Field(info, $"group{group}") ?? "";
        var part = line.Split(',').FirstOrDefault(p => p.StartsWith("fresh_replicas=", StringComparison.Ordinal));
        return part is null ? -1 : int.Parse(part["fresh_replicas=".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>How many times <paramref name="server"/> ran <paramref name="command"/> since its stats were last reset.</summary>
    public static async Task<long> CallsAsync(RedisServerProcess server, string command)
    {
        await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(2));
        var stats = ServerInfo.Parse((await client.CallAsync("INFO", "commandstats")).AsString() ?? "");
        var entry = stats[$"cmdstat_{command}"];
        if (entry is null)
        {
            return 0;
        }

        var calls = entry.Split(',')[0];
        return long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>CONFIG RESETSTAT on every server.</summary>
    public async Task ResetStatsAsync()
    {
        foreach (var server in Redis.Servers)
        {
            await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(2));
            await client.CallAsync("CONFIG", "RESETSTAT");
        }
    }

    /// <summary>A key of group <paramref name="group"/>'s slots (1024-slot table: slot = CRC16 &amp; 1023).</summary>
    public static string KeyOf(int group, int n)
    {
        for (int i = 0; ; i++)
        {
            var key = $"k{n}:{i}";
            int slot = Tessera.Resp.Keys.KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key));
            if ((slot < 512) == (group == 1))
            {
                return key;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        foreach (var proxy in Proxies)
        {
            await proxy.DisposeAsync();
        }

        if (Controller is not null)
        {
            await Controller.DisposeAsync();
        }

        await Redis.DisposeAsync();
        if (Relay is not null)
        {
            await Relay.DisposeAsync();
        }

        Directory.Dispose();
    }
}
