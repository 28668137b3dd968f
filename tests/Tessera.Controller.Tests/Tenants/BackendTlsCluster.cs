using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Model.Tenants;
using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// TLS-only redis-servers (<c>--port 0 --tls-port N</c>) with mutual TLS (<c>tls-auth-clients yes</c>),
/// <c>tls-replication yes</c> and <c>tls-cluster yes</c>, their certificates from a CA made for the test, each server
/// presenting a peer client certificate on its own outgoing connections (replication, MIGRATE); optionally with a
/// password. One controller with quick failure detection and store-backed proxies, every log line kept (to check the key
/// is never written), the open namespace "default".
/// </summary>
internal sealed class BackendTlsCluster : IAsyncDisposable
{
    public const string Ns = "default";

    private readonly List<ProxyServer> _proxies = [];
    private readonly List<RespClient> _clients = [];
    private readonly List<RedisServerProcess> _servers = [];
    private TlsFiles _serverFiles = null!;
    private TlsFiles _peerFiles = null!;

    private BackendTlsCluster(TempDirectory directory, string? password)
    {
        Directory = directory;
        Password = password;
        Certificates = new TestCertificates(directory.Sub("certs"));
    }

    public TempDirectory Directory { get; }

    public TestCertificates Certificates { get; }

    public string? Password { get; }

    public IReadOnlyList<RedisServerProcess> Redis => _servers;

    /// <summary>Tessera's client certificate (what proxies and the controller present), issued by <see cref="Certificates"/>' CA.</summary>
    public X509Certificate2 Client { get; private set; } = null!;

    /// <summary><see cref="Client"/> and the CA as files, the way an operator hands them to the CLI.</summary>
    public Model.Security.TlsFiles ClientFiles { get; private set; } = null!;

    public ControllerServer Controller { get; private set; } = null!;

    public ControllerClient Api { get; private set; } = null!;

    public ConcurrentQueue<string> LogLines { get; } = new();

    public ProxyServer Proxy => _proxies[0];

    public static async Task<BackendTlsCluster> StartAsync(int servers, ITestOutputHelper log, string? password = null)
    {
        var directory = new TempDirectory();
        var cluster = new BackendTlsCluster(directory, password);
        try
        {
            var certs = cluster.Certificates;
            var server = certs.Server("redis").Files;
            cluster._serverFiles = new TlsFiles(server.CertificateFile, server.KeyFile);
            var peer = certs.Write("redis-peer", certs.Client("CN=redis-peer"));
            cluster._peerFiles = new TlsFiles(peer.CertificateFile, peer.KeyFile);
            cluster.Client = certs.Client("CN=tessera");
            cluster.ClientFiles = certs.Write("tessera", cluster.Client);
            cluster._servers.AddRange(await Task.WhenAll(Enumerable.Range(0, servers).Select(i => cluster.StartServerAsync($"redis-{i}"))));

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

            cluster.Api = cluster.Controller.Client();
            await cluster.Api.CreateNamespaceAsync(Ns, open: true);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>How this test's own connections (and the namespace, by default) do TLS: the CA and <see cref="Client"/>.</summary>
    public BackendTls ClientTls => new()
    {
        CaCertificate = Certificates.Ca.ExportCertificatePem(),
        ClientCertificate = Client.ExportCertificatePem(),
        ClientKey = KeyPem(Client),
    };

    /// <summary>The API request setting <see cref="ClientTls"/> (or another client certificate).</summary>
    public SetBackendTlsRequest TlsRequest(X509Certificate2? client = null)
    {
        client ??= Client;
        return new SetBackendTlsRequest(Certificates.Ca.ExportCertificatePem(), client.ExportCertificatePem(), KeyPem(client));
    }

    public static string KeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()!;
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>
    /// Starts a TLS-only server in <paramref name="name"/>'s directory (on <paramref name="port"/>, or a free one);
    /// <paramref name="caFile"/> replaces the CA it trusts for client certificates, <paramref name="cluster"/> its tls-cluster.
    /// </summary>
    public Task<RedisServerProcess> StartServerAsync(string name, int port = 0, string? caFile = null, bool cluster = true) =>
        RedisServerProcess.StartAsync(new RedisServerOptions
        {
            Directory = Directory.Sub(name),
            Port = port,
            Password = Password,
            Tls = new RedisServerTls
            {
                CertificateFile = _serverFiles.Cert,
                KeyFile = _serverFiles.Key,
                CaFile = caFile ?? Certificates.CaFile,
                ClientCertificateFile = _peerFiles.Cert,
                ClientKeyFile = _peerFiles.Key,
                Cluster = cluster,
                Client = ClientTls,
            },
        });

    /// <summary>Adds a server started later to the ones disposed with the cluster.</summary>
    public void Own(RedisServerProcess server) => _servers.Add(server);

    /// <summary>Creates group <paramref name="id"/> with <paramref name="servers"/> (the first its master) and waits until the replicas are in sync.</summary>
    public async Task AddGroupAsync(int id, params int[] servers)
    {
        await Api.CreateGroupAsync(Ns, id);
        foreach (var server in servers)
        {
            await Api.AddServerAsync(Ns, id, Redis[server].Endpoint);
        }

        foreach (var replica in servers.Skip(1))
        {
            await WaitSyncedAsync(Redis[replica]);
        }
    }

    /// <summary>Waits (bounded) until the replica's link to its master is up (a TLS sync: tls-replication).</summary>
    public static Task WaitSyncedAsync(RedisServerProcess replica) =>
        Eventually.TrueAsync(
            async () =>
            {
                await using var client = await replica.ConnectAsync(TimeSpan.FromSeconds(2));
                var info = ServerInfo.Parse((await client.CallAsync("INFO", "replication")).AsString() ?? "");
                return info["master_link_status"] == "up";
            },
            TimeSpan.FromSeconds(20),
            $"replica {replica.Endpoint} in sync with its master over TLS");

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

    /// <summary>Fails the test when a line of the private key (or the password) appears in any log line so far.</summary>
    public void AssertSecretsNotLogged(params X509Certificate2[] clients)
    {
        foreach (var client in clients.Append(Client))
        {
            var secret = KeySecretLine(client);
            var leaked = LogLines.Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(leaked.Count == 0, "the backend TLS key was logged:\n" + string.Join('\n', leaked));
        }

        if (Password is not null)
        {
            Assert.DoesNotContain(LogLines, l => l.Contains(Password, StringComparison.Ordinal));
        }

        Assert.NotEmpty(LogLines);
    }

    /// <summary>A base64 line from the middle of the key's PEM: in any text that carries the key.</summary>
    public static string KeySecretLine(X509Certificate2 client) => KeyPem(client).Split('\n')[1].Trim();

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

        Api?.Dispose();
        if (Controller is not null)
        {
            await Controller.DisposeAsync();
        }

        await Task.WhenAll(_servers.Select(s => s.DisposeAsync().AsTask()));
        Certificates.Dispose();
        Directory.Dispose();
    }

    private sealed record TlsFiles(string Cert, string Key);

    private sealed class Recorder(BackendTlsCluster cluster, ITestOutputHelper? output, string prefix) : ILoggerProvider, ILogger
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
