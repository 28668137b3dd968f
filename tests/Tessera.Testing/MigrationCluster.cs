using System.Net;
using System.Text;
using Tessera.Proxy;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Controller.Migration;
using Tessera.Local.Servers;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;
using Tessera.Resp.Keys;

namespace Tessera.Testing;

/// <summary>
/// A namespace "default" on real redis-servers (one master per group, group i on server i-1), a leading
/// controller on a file store and, when asked, store-backed proxies in-process: what every migration test needs.
/// </summary>
public sealed class MigrationCluster : IAsyncDisposable
{
    public const string Ns = "default";

    private readonly List<ProxyServer> _proxies = [];

    private MigrationCluster(TempDirectory directory, RedisServers redis)
    {
        Directory = directory;
        Redis = redis;
    }

    public TempDirectory Directory { get; }

    public RedisServers Redis { get; }

    public ControllerServer Controller { get; private set; } = null!;

    public ControllerClient Client { get; private set; } = null!;

    public IReadOnlyList<ProxyServer> Proxies => _proxies;

    /// <summary>Starts <paramref name="groups"/> redis-servers and a controller; every slot goes to group 1.</summary>
    public static async Task<MigrationCluster> StartAsync(int groups, int proxies = 0, TimeSpan? leaseTtl = null)
    {
        var directory = new TempDirectory();
        RedisServers? redis = null;
        MigrationCluster? cluster = null;
        try
        {
            redis = await RedisServers.StartAsync(directory, groups);
            cluster = new MigrationCluster(directory, redis);
            await cluster.StartControllerAsync("ctl-1", leaseTtl);
            await cluster.Client.CreateNamespaceAsync(Ns, open: true);
            for (var g = 1; g <= groups; g++)
            {
                await cluster.Client.CreateGroupAsync(Ns, g);
                await cluster.Client.AddServerAsync(Ns, g, redis[g - 1].Endpoint);
            }

            await cluster.Client.AssignSlotsAsync(Ns, 0, 1023, 1);
            for (var i = 0; i < proxies; i++)
            {
                cluster._proxies.Add(await ProxyServer.StartWithStoreAsync(
                    new ProxyOptions
                    {
                        Listen = new IPEndPoint(IPAddress.Loopback, 0),
                        Admin = new IPEndPoint(IPAddress.Loopback, 0),
                        LeaseTtl = TimeSpan.FromSeconds(3),
                    },
                    directory.StoreUrl));
            }

            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            else
            {
                if (redis is not null)
                {
                    await redis.DisposeAsync();
                }

                directory.Dispose();
            }

            throw;
        }
    }

    /// <summary>Starts a (new) controller on the cluster's store and waits until it leads.</summary>
    public async Task StartControllerAsync(string id, TimeSpan? leaseTtl = null)
    {
        Controller = await TestControllers.StartLeaderAsync(Directory.StoreUrl, id, leaseTtl);
        Client = Controller.Client();
    }

    /// <summary>The controller dies without stepping down (its lease is left to expire).</summary>
    public async Task CrashControllerAsync()
    {
        Client.Dispose();
        await Controller.CrashAsync();
    }

    public RedisServerProcess Master(int group) => Redis[group - 1];

    public Task<RespClient> ConnectAsync(int group) => Master(group).ConnectAsync(TimeSpan.FromSeconds(10));

    /// <summary>Polls the migration until it is final (or <paramref name="timeout"/> passes: the test fails with its last state).</summary>
    public async Task<SlotMigration> WaitAsync(string id, TimeSpan timeout, ControllerClient? client = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        SlotMigration? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await (client ?? Client).GetMigrationAsync(Ns, id);
            if (last.IsFinal)
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"migration {id} did not finish within {timeout.TotalSeconds} s; last seen: {last?.Phase}, {last?.KeysMoved} keys moved, error: {last?.LastError}");
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the migration.</summary>
    public async Task<SlotMigration> WaitUntilAsync(string id, Func<SlotMigration, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        SlotMigration? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await Client.GetMigrationAsync(Ns, id);
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"{what} did not happen within {timeout.TotalSeconds} s; last seen: {last?.Phase}, {last?.KeysMoved} keys moved, error: {last?.LastError}");
    }

    /// <summary>Every key on a group's master.</summary>
    public async Task<HashSet<string>> KeysAsync(int group)
    {
        await using var client = await ConnectAsync(group);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            var reply = await client.CallAsync("SCAN", cursor, "COUNT", 1000);
            cursor = reply.Items![0].AsString()!;
            foreach (var key in reply.Items[1].Items!)
            {
                keys.Add(Encoding.Latin1.GetString(key.Bytes!));
            }
        }
        while (cursor != "0");
        return keys;
    }

    /// <summary>Writes <paramref name="count"/> string keys "prefix:i" (value "v:i") straight to a group's master, pipelined.</summary>
    public async Task FillAsync(int group, string prefix, int count, int? ttlSeconds = null)
    {
        await using var client = await ConnectAsync(group);
        const int Window = 500;
        for (var start = 0; start < count; start += Window)
        {
            var end = Math.Min(count, start + Window);
            for (var i = start; i < end; i++)
            {
                if (ttlSeconds is { } ttl)
                {
                    await client.SendAsync("SET", $"{prefix}:{i}", $"v:{i}", "EX", ttl);
                }
                else
                {
                    await client.SendAsync("SET", $"{prefix}:{i}", $"v:{i}");
                }
            }

            for (var i = start; i < end; i++)
            {
                await client.ReadAsync();
            }
        }
    }

    public static int SlotOf(string key) => KeySlot.Of(Encoding.Latin1.GetBytes(key));

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        if (Controller is not null)
        {
            Client?.Dispose();
            await Controller.DisposeAsync();
        }

        await Redis.DisposeAsync();
        Directory.Dispose();
    }
}
