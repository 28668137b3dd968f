using Tessera.Clients.Tests.Support;
using Tessera.Proxy.Hosting;

namespace Tessera.Clients.Tests.Tls;

/// <summary>
/// The one TLS cluster every TLS client test shares: two redis-server groups behind two proxies with the cluster face
/// on and one with it off (for standalone clients), each with a plain listener and a second, TLS, listener that asks
/// for a client certificate of the test CA (mutual TLS). <see cref="Tls"/> is what the clients connect with: the CA
/// the proxies' certificate is verified against, and a client certificate of that CA.
/// </summary>
public sealed class TlsFaceClusterFixture : IAsyncLifetime
{
    private TempDirectory? _folder;
    private TestCertificates? _ca;

    public FaceCluster Face { get; private set; } = null!;

    /// <summary>A proxy with the face off (a standalone server to clients), of the same store, groups and TLS.</summary>
    public ProxyServer Standalone { get; private set; } = null!;

    /// <summary>The standalone proxy's TLS port.</summary>
    public int StandaloneTlsPort => Standalone.TlsEndpoint!.Port;

    public ClientTls Tls { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _folder = new TempDirectory("tessera-client-tls");
        _ca = new TestCertificates(_folder.Sub("ca"));
        var (_, server) = _ca.Server();
        var client = _ca.Write("client", _ca.Client("CN=tessera-client"));
        Tls = new ClientTls(_ca.CaFile, client.CertificateFile, client.KeyFile);
        Face = await FaceCluster.StartAsync(new FaceClusterOptions { Proxies = 2, Groups = 2, Tls = server with { ClientCaFile = _ca.CaFile } });
        Standalone = await Face.StartStandaloneProxyAsync();
    }

    public async Task DisposeAsync()
    {
        if (Face is not null)
        {
            await Face.DisposeAsync();
        }

        _ca?.Dispose();
        _folder?.Dispose();
    }
}

/// <summary>Tests that share one <see cref="TlsFaceClusterFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TlsFaceCollection : ICollectionFixture<TlsFaceClusterFixture>
{
    public const string Name = "cluster-face-tls";
}
