using System.Net;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Model.Api;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Values;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// Two namespaces on their own redis-servers behind one controller and store-backed proxies: "alpha" (one group on
/// server 0) and "beta" (one group on server 1), every slot assigned, both closed (clients must AUTH).
/// </summary>
internal sealed class TenantCluster : IAsyncDisposable
{
    public const string Alpha = "alpha";
    public const string Beta = "beta";

    private readonly List<ProxyServer> _proxies = [];
    private readonly List<RawConnection> _connections = [];

    private TenantCluster(TempDirectory directory, RedisServers redis)
    {
        Directory = directory;
        Redis = redis;
    }

    public TempDirectory Directory { get; }

    public RedisServers Redis { get; }

    public ControllerServer Controller { get; private set; } = null!;

    public ControllerClient Client { get; private set; } = null!;

    public IReadOnlyList<ProxyServer> Proxies => _proxies;

    public static async Task<TenantCluster> StartAsync(int proxies = 1, bool proxyProtocol = false, TimeSpan? quotaPatience = null, Func<ProxyOptions, ProxyOptions>? configure = null, TimeSpan? insightInterval = null, IReadOnlyList<string>? serverArgs = null)
    {
        var directory = new TempDirectory();
        var redis = await RedisServers.StartAsync(directory, 2, extraArgs: serverArgs);
        var cluster = new TenantCluster(directory, redis);
        try
        {
            cluster.Controller = await TestControllers.StartLeaderAsync(directory.StoreUrl, insightInterval: insightInterval);
            cluster.Client = cluster.Controller.Client();
            string[] names = [Alpha, Beta];
            for (int i = 0; i < names.Length; i++)
            {
                await cluster.Client.CreateNamespaceAsync(names[i]);
                await cluster.Client.CreateGroupAsync(names[i], 1);
                await cluster.Client.AddServerAsync(names[i], 1, redis[i].Endpoint);
                await cluster.Client.AssignSlotsAsync(names[i], 0, 1023, 1);
            }

            for (int i = 0; i < proxies; i++)
            {
                var options = new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Admin = new IPEndPoint(IPAddress.Loopback, 0), LeaseTtl = TimeSpan.FromSeconds(3), AcceptProxyProtocol = proxyProtocol, QuotaPatience = quotaPatience ?? TimeSpan.FromSeconds(10) };
                cluster._proxies.Add(await ProxyServer.StartWithStoreAsync(configure is null ? options : configure(options), directory.StoreUrl));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops proxy <paramref name="index"/> (it revokes its registration).</summary>
    public async Task StopProxyAsync(int index)
    {
        await _proxies[index].DisposeAsync();
        _proxies.RemoveAt(index);
    }

    /// <summary>Adds a user and answers its password.</summary>
    public async Task<string> AddUserAsync(string ns, string user, CreateUserRequest? request = null)
    {
        var created = await Client.CreateUserAsync(ns, request ?? new CreateUserRequest(user));
        return created.Password ?? throw new Xunit.Sdk.XunitException("a new user's answer carries its password");
    }

    /// <summary>A raw client connection to proxy <paramref name="proxy"/>, closed with the cluster.</summary>
    public async Task<RawConnection> ConnectAsync(int proxy = 0)
    {
        var connection = await RawConnection.ConnectAsync(_proxies[proxy].Endpoint.Port);
        _connections.Add(connection);
        return connection;
    }

    /// <summary>
    /// A connection to proxy <paramref name="proxy"/> authenticated with <paramref name="args"/> (AUTH's arguments).
    /// Proxies learn of a new user from the store's watch, a moment after the controller answered: retried (bounded)
    /// on new connections; the refused ones are closed, so only the returned one counts against a connection quota.
    /// </summary>
    public async Task<RawConnection> LoginOnAsync(int proxy, params string[] args)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var connection = await RawConnection.ConnectAsync(_proxies[proxy].Endpoint.Port);
            var reply = await connection.CallAsync(["AUTH", .. args]);
            if (reply.IsOk)
            {
                _connections.Add(connection);
                return connection;
            }

            await connection.DisposeAsync();
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"proxy {proxy} still answers {reply} to AUTH {string.Join(' ', args)} after 10 s");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>A connection to the first proxy, authenticated (see <see cref="LoginOnAsync"/>).</summary>
    public Task<RawConnection> LoginAsync(params string[] args) => LoginOnAsync(0, args);

    /// <summary>Waits (bounded) until a new connection passes <paramref name="probe"/>.</summary>
    public async Task WaitForProxiesAsync(Func<RawConnection, Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (await probe(await ConnectAsync()))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"the proxies did not show {what} within 10 s");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
        }

        Client?.Dispose();
        if (Controller is not null)
        {
            await Controller.DisposeAsync();
        }

        await Redis.DisposeAsync();
        Directory.Dispose();
    }
}

internal static class RawConnectionChecks
{
    /// <summary>True when the proxy closes the connection within 10 s (PINGs until it does).</summary>
    public static async Task<bool> ClosedAsync(this RawConnection connection)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await connection.SendAsync(RawConnection.Command("PING"));
                if (await connection.ReadAsync(TimeSpan.FromSeconds(5)) is null)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
