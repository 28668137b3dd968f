using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Local.Servers;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// What the backend-login fixtures share (<see cref="BackendAuthCluster"/>: servers with passwords,
/// <see cref="BackendTlsCluster"/>: TLS-only servers): one controller with quick failure detection, the open namespace
/// "default" (clients need no AUTH), store-backed proxies started on demand, and every log line of the controller and
/// the proxies kept, so a test can check that no secret was written.
/// </summary>
internal abstract class BackendCluster : IAsyncDisposable
{
    public const string Ns = "default";

    private readonly List<ProxyServer> _proxies = [];
    private readonly List<RespClient> _clients = [];

    protected BackendCluster(TempDirectory directory)
    {
        Directory = directory;
    }

    public TempDirectory Directory { get; }

    public ControllerServer Controller { get; private set; } = null!;

    /// <summary>The controller's API, as the admin token.</summary>
    public ControllerClient Api { get; private set; } = null!;

    /// <summary>Every line the controller and the proxies logged.</summary>
    public ConcurrentQueue<string> LogLines { get; } = new();

    public ProxyServer Proxy => _proxies[0];

    /// <summary>The server at <paramref name="index"/> of the fixture's servers.</summary>
    protected abstract RedisServerProcess ServerAt(int index);

    /// <summary>Stops the fixture's servers (after the proxies and the controller).</summary>
    protected abstract ValueTask DisposeServersAsync();

    /// <summary>Starts the controller (leader on the empty store) and creates the open namespace.</summary>
    protected async Task StartControllerAsync(ITestOutputHelper log)
    {
        Controller = await ControllerServer.StartAsync(
            new ControllerOptions
            {
                StoreUrl = Directory.StoreUrl,
                AdminTokenFile = TestTokens.FileFor(Directory.StoreUrl),
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                Id = "ctl-1",
                LeaseTtl = TimeSpan.FromSeconds(5),
                PushDeadline = TimeSpan.FromSeconds(6),
                PushCallTimeout = TimeSpan.FromSeconds(1),
                ServerTimeout = TimeSpan.FromSeconds(2),
                ProbeTimeout = TimeSpan.FromMilliseconds(500),
                Health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(200) },
            },
            Logging(log, "ctl"));
        TestTokens.Register(Controller.Url, Directory.StoreUrl);
        if (!await Controller.WaitForLeadershipAsync(TimeSpan.FromSeconds(10)))
        {
            throw new Xunit.Sdk.XunitException("the controller did not become leader on an empty store within 10 s");
        }

        Api = Controller.Client();
        await Api.CreateNamespaceAsync(Ns, open: true);
    }

    /// <summary>Creates group <paramref name="id"/> with <paramref name="servers"/> (the first its master) and waits until the replicas are in sync.</summary>
    public async Task AddGroupAsync(int id, params int[] servers)
    {
        await Api.CreateGroupAsync(Ns, id);
        foreach (var server in servers)
        {
            await Api.AddServerAsync(Ns, id, ServerAt(server).Endpoint);
        }

        foreach (var replica in servers.Skip(1))
        {
            await WaitSyncedAsync(ServerAt(replica));
        }
    }

    /// <summary>Waits (bounded) until the replica's link to its master is up: it logged in to it (masterauth, or TLS with tls-replication).</summary>
    public static Task WaitSyncedAsync(RedisServerProcess replica) =>
        Eventually.TrueAsync(
            async () =>
            {
                await using var client = await replica.ConnectAsync(TimeSpan.FromSeconds(2));
                var info = ServerInfo.Parse((await client.CallAsync("INFO", "replication")).AsString() ?? "");
                return info["master_link_status"] == "up";
            },
            TimeSpan.FromSeconds(20),
            $"replica {replica.Endpoint} in sync with its master");

    public async Task StartProxyAsync()
    {
        _proxies.Add(await ProxyServer.StartWithStoreAsync(
            new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), Admin = new IPEndPoint(IPAddress.Loopback, 0), LeaseTtl = TimeSpan.FromSeconds(3) },
            Directory.StoreUrl,
            Logging(null, "proxy")));
    }

    /// <summary>A plain client of the first proxy (open namespace: no AUTH), closed with the cluster.</summary>
    public async Task<RespClient> ProxyClientAsync()
    {
        var client = await RespClient.ConnectAsync("127.0.0.1", Proxy.Endpoint.Port, TimeSpan.FromSeconds(10));
        _clients.Add(client);
        return client;
    }

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

        Api?.Dispose();
        if (Controller is not null)
        {
            await Controller.DisposeAsync();
        }

        await DisposeServersAsync();
        Directory.Dispose();
    }

    private ILoggerFactory Logging(ITestOutputHelper? log, string prefix) =>
        LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(new Recorder(this, log, prefix)));

    /// <summary>Keeps every log line (any level) and echoes them to the test's output.</summary>
    private sealed class Recorder(BackendCluster cluster, ITestOutputHelper? output, string prefix) : ILoggerProvider, ILogger
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
