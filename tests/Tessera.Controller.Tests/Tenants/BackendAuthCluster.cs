using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// redis-servers that require a password (requirepass, or an ACL user with the default user off), one controller with
/// quick failure detection whose log lines are kept (to check that no password is written), the open namespace
/// "default" (clients need no AUTH), and store-backed proxies started on demand.
/// </summary>
internal sealed class BackendAuthCluster : IAsyncDisposable
{
    public const string Ns = "default";

    private readonly List<ProxyServer> _proxies = [];
    private readonly List<RespClient> _clients = [];

    private BackendAuthCluster(TempDirectory directory, RedisServers redis, string password, string? user)
    {
        Directory = directory;
        Redis = redis;
        Password = password;
        User = user;
    }

    public TempDirectory Directory { get; }

    public RedisServers Redis { get; }

    /// <summary>What the servers require (random per cluster, so finding it in an answer or a log line is no accident).</summary>
    public string Password { get; }

    public string? User { get; }

    public ControllerServer Controller { get; private set; } = null!;

    public ControllerClient Client { get; private set; } = null!;

    /// <summary>Every line the controller and the proxies logged.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    public ProxyServer Proxy => _proxies[0];

    public static async Task<BackendAuthCluster> StartAsync(int servers, ITestOutputHelper log, string? user = null)
    {
        var directory = new TempDirectory();
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var redis = await RedisServers.StartAsync(directory, servers, password, user);
        var cluster = new BackendAuthCluster(directory, redis, password, user);
        try
        {
            cluster.Controller = await ControllerServer.StartAsync(
                new ControllerOptions
                {
                    StoreUrl = directory.StoreUrl,
                    AdminTokenFile = TestTokens.FileFor(directory.StoreUrl),
                    Listen = new IPEndPoint(IPAddress.Loopback, 0),
                    Id = "ctl-1",
                    LeaseTtl = TimeSpan.FromSeconds(5),
                    PushDeadline = TimeSpan.FromSeconds(6),
                    PushCallTimeout = TimeSpan.FromSeconds(1),
                    ServerTimeout = TimeSpan.FromSeconds(2),
                    ProbeTimeout = TimeSpan.FromMilliseconds(500),
                    Health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(200) },
                },
                cluster.Logging(log, "ctl"));
            TestTokens.Register(cluster.Controller.Url, directory.StoreUrl);
            if (!await cluster.Controller.WaitForLeadershipAsync(TimeSpan.FromSeconds(10)))
            {
                throw new Xunit.Sdk.XunitException("the controller did not become leader on an empty store within 10 s");
            }

            cluster.Client = cluster.Controller.Client();
            await cluster.Client.CreateNamespaceAsync(Ns, open: true);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The namespace's credentials as the servers want them.</summary>
    public SetBackendCredentialsRequest Credentials => new(Password, User);

    /// <summary>Creates group <paramref name="id"/> with <paramref name="servers"/> (the first its master) and waits until the replicas are in sync.</summary>
    public async Task AddGroupAsync(int id, params int[] servers)
    {
        await Client.CreateGroupAsync(Ns, id);
        foreach (var server in servers)
        {
            await Client.AddServerAsync(Ns, id, Redis[server].Endpoint);
        }

        foreach (var replica in servers.Skip(1))
        {
            await WaitSyncedAsync(Redis[replica]);
        }
    }

    /// <summary>Waits (bounded) until the replica's link to its master is up: it logged in to it with masterauth.</summary>
    public static Task WaitSyncedAsync(RedisServerProcess replica) =>
        Eventually.TrueAsync(
            async () =>
            {
                await using var client = await replica.ConnectAsync(TimeSpan.FromSeconds(2));
                var info = ServerInfo.Parse((await client.CallAsync("INFO", "replication")).AsString() ?? "");
                return info["master_link_status"] == "up";
            },
            TimeSpan.FromSeconds(20),
            $"replica {replica.Endpoint} in sync with its master (masterauth)");

    public async Task StartProxyAsync()
    {
        _proxies.Add(await ProxyServer.StartWithStoreAsync(
            new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Admin = new IPEndPoint(IPAddress.Loopback, 0), LeaseTtl = TimeSpan.FromSeconds(3) },
            Directory.StoreUrl,
            Logging(null, "proxy")));
    }

    /// <summary>A client of the first proxy (open namespace: no AUTH), closed with the cluster.</summary>
    public async Task<RespClient> ProxyClientAsync()
    {
        var client = await RespClient.ConnectAsync("127.0.0.1", Proxy.Endpoint.Port, TimeSpan.FromSeconds(10));
        _clients.Add(client);
        return client;
    }

    /// <summary>Fails the test when the password appears in any log line so far.</summary>
    public void AssertPasswordNotLogged()
    {
        var leaked = LogLines.Where(l => l.Contains(Password, StringComparison.Ordinal)).ToList();
        Assert.True(leaked.Count == 0, "the backend password was logged:\n" + string.Join('\n', leaked));
        Assert.NotEmpty(LogLines);
    }

    private ILoggerFactory Logging(ITestOutputHelper? log, string prefix) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(new Recorder(this, log, prefix)));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
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

    /// <summary>Keeps every log line (any level) and echoes them to the test's output.</summary>
    private sealed class Recorder(BackendAuthCluster cluster, ITestOutputHelper? output, string prefix) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{prefix} {logLevel} {formatter(state, exception)} {exception}";
            cluster.LogLines.Enqueue(line);
            try
            {
                output?.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // The test has ended; late lines from background loops have nowhere to go.
            }
        }

        public void Dispose()
        {
        }
    }
}
