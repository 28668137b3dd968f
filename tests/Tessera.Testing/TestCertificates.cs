using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tessera.Model.Security;

namespace Tessera.Testing;

/// <summary>
/// A throw-away certificate authority made at test time (ECDSA P-256), issuing server certificates for 127.0.0.1 /
/// localhost and client certificates by common name, written as PEM files where a proxy or redis-server reads them.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey;
    private readonly string _folder;
    private int _serial = 1;

    public TestCertificates(string folder, string caName = "Tessera Test CA")
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + caName, _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        CaFile = Path.Combine(folder, "ca.crt");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
    }

    /// <summary>The CA certificate (public part).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The CA certificate as a PEM file.</summary>
    public string CaFile { get; }

    /// <summary>A server certificate for 127.0.0.1 and localhost named <paramref name="name"/>, as files (cert, key).</summary>
    public (X509Certificate2 Certificate, TlsFiles Files) Server(string name = "tessera-proxy", string? fileName = null)
    {
        var certificate = Issue("CN=" + name, server: true, dns: ["localhost"]);
        return (certificate, Write(fileName ?? name, certificate));
    }

    /// <summary>A client certificate with subject <paramref name="subject"/> (e.g. "CN=shop-app") and optional SAN DNS names, with its key.</summary>
    public X509Certificate2 Client(string subject, params string[] dns) => Issue(subject, server: false, dns);

    /// <summary>Writes <paramref name="certificate"/> and its key as PEM files under <paramref name="name"/>.crt/.key.</summary>
    public TlsFiles Write(string name, X509Certificate2 certificate, string? certificateFile = null, string? keyFile = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        certificateFile ??= Path.Combine(_folder, name + ".crt");
        keyFile ??= Path.Combine(_folder, name + ".key");
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the certificate has no private key");
        WriteReplacing(certificateFile, certificate.ExportCertificatePem() + "\n");
        WriteReplacing(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        return new TlsFiles(certificateFile, keyFile);
    }

    /// <summary>True when <paramref name="presented"/> was issued by <paramref name="ca"/> and is valid now.</summary>
    public static bool Chains(X509Certificate2 ca, X509Certificate presented) => ServerCertificates.ClientChains([ca], presented);

    private X509Certificate2 Issue(string subject, bool server, string[] dns)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dns)
        {
            san.AddDnsName(name);
        }

        if (server)
        {
            san.AddIpAddress(System.Net.IPAddress.Loopback);
        }

        if (server || dns.Length > 0)
        {
            request.CertificateExtensions.Add(san.Build());
        }

        byte[] serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial) + Environment.TickCount64);
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes a file the way operators should rotate one: a new file renamed over the old, never torn.</summary>
    private static void WriteReplacing(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        _caKey.Dispose();
        Ca.Dispose();
    }
}
