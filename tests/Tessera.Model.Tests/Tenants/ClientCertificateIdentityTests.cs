using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tessera.Model.Tenants;

namespace Tessera.Model.Tests.Tenants;

public sealed class ClientCertificateIdentityTests
{
    [Theory]
    [InlineData("CN=shop-app", "CN=shop-app")]
    [InlineData(" cn = shop-app , o = Example ", "CN=shop-app,O=Example")]
    [InlineData("DNS:Shop.Example.com", "dns:shop.example.com")]
    [InlineData("sha256:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89", "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    public void Entries_are_stored_in_one_canonical_form(string entry, string canonical) =>
        Assert.Equal(canonical, ClientCertificateIdentity.Normalize(entry, out _));

    [Theory]
    [InlineData("shop-app", "is not a certificate identity")]
    [InlineData("sha256:1234", "is not a SHA-256 fingerprint")]
    [InlineData("dns:", "is not a DNS name")]
    [InlineData("CN=", "is not a certificate identity")]
    public void Malformed_entries_say_what_is_wrong(string entry, string problem)
    {
        Assert.Null(ClientCertificateIdentity.Normalize(entry, out var why));
        Assert.Contains(problem, why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_carries_its_subject_its_SAN_names_and_its_fingerprint()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=shop-app, O=Example", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("Shop.Example.com");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));

        var identities = ClientCertificateIdentity.Of(certificate);
        Assert.Equal(["CN=shop-app,O=Example", "dns:shop.example.com", "sha256:" + certificate.GetCertHashString(HashAlgorithmName.SHA256)], identities);
        Assert.Equal(identities[0], ClientCertificateIdentity.Normalize("CN = shop-app, O = Example", out _));
    }
}
