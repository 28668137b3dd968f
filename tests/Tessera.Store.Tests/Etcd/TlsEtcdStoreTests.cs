using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tessera.Local.Etcd;

namespace Tessera.Store.Tests.Etcd;

/// <summary>One real etcd member serving clients over TLS with a certificate from an authority made for the test.</summary>
public sealed class TlsEtcdFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-etcd-tls-").FullName;

    public EtcdCluster Cluster { get; private set; } = null!;

    /// <summary>A second authority that signed nothing the member presents.</summary>
    public string OtherCaFile => Path.Combine(_directory, "other-ca.pem");

    public async Task InitializeAsync()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Tessera test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = new CertificateRequest("CN=Another CA", otherKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var tls = new EtcdTls(Path.Combine(_directory, "server.pem"), Path.Combine(_directory, "server-key.pem"), Path.Combine(_directory, "ca.pem"));
        await File.WriteAllTextAsync(tls.CertFile, server.ExportCertificatePem());
        await File.WriteAllTextAsync(tls.KeyFile, serverKey.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(tls.CaFile, ca.ExportCertificatePem());
        await File.WriteAllTextAsync(OtherCaFile, other.ExportCertificatePem());
        Cluster = await EtcdCluster.StartAsync(1, tls);
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>The production store (JSON gateway) over TLS.</summary>
public sealed class TlsEtcdStoreTests(TlsEtcdFixture etcd) : TlsEtcdContractTests(etcd, EtcdClientKind.JsonGateway), IClassFixture<TlsEtcdFixture>
{
}

/// <summary>The dotnet-etcd (gRPC) evaluation store over TLS.</summary>
public sealed class GrpcTlsEtcdStoreTests(TlsEtcdFixture etcd) : TlsEtcdContractTests(etcd, EtcdClientKind.Grpc), IClassFixture<TlsEtcdFixture>
{
}

/// <summary>The whole store contract over TLS (etcds://…?ca=), and refusals of an untrusted or a plain connection, for each etcd client.</summary>
public abstract class TlsEtcdContractTests : StoreContractTests
{
    private readonly TlsEtcdFixture _etcd;
    private readonly EtcdClientKind _kind;

    protected TlsEtcdContractTests(TlsEtcdFixture etcd, EtcdClientKind kind) => (_etcd, _kind) = (etcd, kind);

    protected override ICoordinatorStore OpenStore() => EtcdClients.Open(_kind, _etcd.Cluster.Url);

    [Fact]
    public async Task A_member_whose_certificate_the_given_authority_did_not_sign_is_refused()
    {
        Assert.StartsWith("etcds://127.0.0.1:", Store.Url, StringComparison.Ordinal);
        var untrusted = _etcd.Cluster.Url[.._etcd.Cluster.Url.IndexOf('?', StringComparison.Ordinal)] + "?ca=" + _etcd.OtherCaFile;
        await using var store = EtcdClients.Open(
            _kind,
            Tessera.Store.Etcd.EtcdStore.ParseEndpoints(untrusted),
            new Tessera.Store.Etcd.EtcdStoreOptions { CaFile = _etcd.OtherCaFile, OperationTimeout = TimeSpan.FromSeconds(3) });
        var error = await Assert.ThrowsAsync<CoordinatorStoreException>(() => store.GetAsync(P + "k"));
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ca_option_without_TLS_or_an_unknown_option_is_refused_with_the_form()
    {
        var plain = Assert.Throws<ArgumentException>(() => StoreFactory.Open("etcd://127.0.0.1:2379?ca=/tmp/ca.pem"));
        Assert.Contains("etcds://host:2379?ca=", plain.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => StoreFactory.Open("etcds://127.0.0.1:2379?cert=/tmp/x.pem"));
        Assert.Contains("?ca=/path/to/ca.pem", unknown.Message, StringComparison.Ordinal);
    }
}
