using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Security;
using Tessera.Model.Tenants;

namespace Tessera.Model.Tests.Tenants;

public sealed class BackendTlsTests
{
    private const string Key = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleQ==\n-----END PRIVATE KEY-----";

    [Fact]
    public void Printing_the_settings_or_a_request_never_shows_the_key()
    {
        var tls = new BackendTls { CaCertificate = "ca", ClientCertificate = "cert", ClientKey = Key, ServerName = "redis.internal" };

        Assert.DoesNotContain("c2VjcmV0", tls.ToString(), StringComparison.Ordinal);
        Assert.Contains("***", tls.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", new SetBackendTlsRequest("ca", "cert", Key).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", new NamespaceAccess { Salt = "s", BackendTls = tls }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_access_document_keeps_the_settings_and_reads_without_them_as_plain_TCP()
    {
        var access = new NamespaceAccess { Salt = "s", BackendTls = new BackendTls { CaCertificate = "ca", ClientCertificate = "cert", ClientKey = Key } };

        var json = JsonSerializer.Serialize(access, TesseraJson.Options);

        Assert.Equal(access.BackendTls, JsonSerializer.Deserialize<NamespaceAccess>(json, TesseraJson.Options)!.BackendTls);
        Assert.Null(JsonSerializer.Deserialize<NamespaceAccess>("""{"salt": "s", "users": []}""", TesseraJson.Options)!.BackendTls);
    }

    [Fact]
    public void Settings_that_cannot_be_used_are_refused_saying_which_part()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=Test CA", caKey, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caPem = ca.ExportCertificatePem();

        Assert.Contains("holds no PEM certificate", Assert.Throws<ArgumentException>(() => BackendTlsClient.Create(new BackendTls { CaCertificate = "nothing" })).Message, StringComparison.Ordinal);
        Assert.Contains("needs its private key", Assert.Throws<ArgumentException>(() => BackendTlsClient.Create(new BackendTls { CaCertificate = caPem, ClientCertificate = caPem })).Message, StringComparison.Ordinal);
        Assert.Contains("do not load together", Assert.Throws<ArgumentException>(() => BackendTlsClient.Create(new BackendTls { CaCertificate = caPem, ClientCertificate = caPem, ClientKey = otherKey.ExportPkcs8PrivateKeyPem() })).Message, StringComparison.Ordinal);

        var ready = BackendTlsClient.Create(new BackendTls { CaCertificate = caPem, ClientCertificate = caPem, ClientKey = caKey.ExportPkcs8PrivateKeyPem() });
        Assert.Equal("CN=Test CA", ready.Ca.Subject);
        Assert.Equal("CN=Test CA", ready.ClientCertificate!.Subject);
        Assert.Equal("redis.internal", BackendTlsClient.Create(new BackendTls { CaCertificate = caPem, ServerName = "redis.internal" }).Options("127.0.0.1", out _).TargetHost);
    }
}
