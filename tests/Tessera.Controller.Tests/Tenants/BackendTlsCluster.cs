using System.Security.Cryptography.X509Certificates;
using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Model.Tenants;
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
internal sealed class BackendTlsCluster : BackendCluster
{
    private readonly List<RedisServerProcess> _servers = [];
    private TlsFiles _serverFiles = null!;
    private TlsFiles _peerFiles = null!;

    private BackendTlsCluster(TempDirectory directory, string? password)
        : base(directory)
    {
        Password = password;
        Certificates = new TestCertificates(directory.Sub("certs"));
    }

    public TestCertificates Certificates { get; }

    public string? Password { get; }

    public IReadOnlyList<RedisServerProcess> Redis => _servers;

    /// <summary>Tessera's client certificate (what proxies and the controller present), issued by <see cref="Certificates"/>' CA.</summary>
    public X509Certificate2 Client { get; private set; } = null!;

    /// <summary><see cref="Client"/> and the CA as files, the way an operator hands them to the CLI.</summary>
    public Model.Security.TlsFiles ClientFiles { get; private set; } = null!;

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

            await cluster.StartControllerAsync(log);
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

    protected override RedisServerProcess ServerAt(int index) => _servers[index];

    protected override async ValueTask DisposeServersAsync()
    {
        await Task.WhenAll(_servers.Select(s => s.DisposeAsync().AsTask()));
        Certificates.Dispose();
    }

    private sealed record TlsFiles(string Cert, string Key);
}
