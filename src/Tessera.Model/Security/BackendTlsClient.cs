using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tessera.Model.Tenants;

namespace Tessera.Model.Security;

/// <summary>
/// A namespace's <see cref="BackendTls"/> made ready for connections: the CA and the client certificate parsed once (not
/// per connection), and the client options of one handshake with a server (<see cref="Options"/>). Used by the proxy's
/// backend links and by every connection the controller opens, so both check servers the same way: the server's
/// certificate must chain to the namespace's CA (custom root trust: the system store is not consulted; no revocation
/// check, as redis-server's own tls-ca-cert-file) and name the server (<see cref="BackendTls.ServerName"/>, else the
/// host of its address).
/// </summary>
public sealed class BackendTlsClient
{
    private readonly X509Certificate2Collection _roots;
    private readonly SslStreamCertificateContext? _clientContext;

    private BackendTlsClient(BackendTls settings, X509Certificate2Collection roots, X509Certificate2? client, SslStreamCertificateContext? clientContext)
    {
        Settings = settings;
        _roots = roots;
        ClientCertificate = client;
        _clientContext = clientContext;
    }

    /// <summary>What this was made from (compared by value to tell a real change from the same document read again).</summary>
    public BackendTls Settings { get; }

    /// <summary>The first CA certificate (for messages: its subject).</summary>
    public X509Certificate2 Ca => _roots[0];

    /// <summary>The client certificate presented to servers, or null.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>
    /// Parses <paramref name="settings"/>; throws <see cref="ArgumentException"/> saying which part is wrong (no PEM
    /// certificate in the CA, a certificate without its key or a key that does not match it, an expired client certificate).
    /// </summary>
    public static BackendTlsClient Create(BackendTls settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPem(settings.CaCertificate);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"the CA certificate is not PEM ({ex.Message}); give the file redis-server's tls-ca-cert-file names, starting with -----BEGIN CERTIFICATE-----", ex);
        }

        if (roots.Count == 0)
        {
            throw new ArgumentException("the CA certificate holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----); give the file redis-server's tls-ca-cert-file names");
        }

        if ((settings.ClientCertificate is null) != (settings.ClientKey is null))
        {
            throw new ArgumentException("a client certificate needs its private key and a key needs its certificate: give both (--backend-tls-cert FILE --backend-tls-key FILE) or neither");
        }

        X509Certificate2? client = null;
        SslStreamCertificateContext? context = null;
        if (settings.ClientCertificate is { } certificatePem && settings.ClientKey is { } keyPem)
        {
            try
            {
                using var loaded = X509Certificate2.CreateFromPem(certificatePem, keyPem);

                // An exported and reloaded copy: on Linux a certificate with an ephemeral key cannot always be used by
                // SslStream for client authentication.
                client = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                throw new ArgumentException($"the client certificate and key do not load together ({ex.Message}); give the PEM certificate and the PEM private key (PKCS#8, RSA or EC) that belongs to it", ex);
            }

            var now = DateTime.Now;
            if (client.NotAfter < now || client.NotBefore > now)
            {
                throw new ArgumentException($"the client certificate {client.Subject} is valid from {client.NotBefore:u} to {client.NotAfter:u}, not now");
            }

            var intermediates = new X509Certificate2Collection();
            intermediates.ImportFromPem(certificatePem);
            for (int i = intermediates.Count - 1; i >= 0; i--)
            {
                if (intermediates[i].Thumbprint == client.Thumbprint)
                {
                    intermediates.RemoveAt(i);
                }
            }

            context = SslStreamCertificateContext.Create(client, intermediates, offline: true);
        }

        return new BackendTlsClient(settings, roots, client, context);
    }

    /// <summary>Client options for one handshake with the server at <paramref name="host"/>; <paramref name="check"/> tells afterwards why a certificate was refused.</summary>
    public SslClientAuthenticationOptions Options(string host, out TlsCheck check)
    {
        var result = new TlsCheck();
        check = result;
        var roots = _roots;
        return new SslClientAuthenticationOptions
        {
            TargetHost = Settings.ServerName ?? host,
            ClientCertificateContext = _clientContext,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = SslProtocols.None,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    result.Problem = "the server presented no certificate";
                    return false;
                }

                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    result.Problem = $"the server's certificate ({certificate.Subject}) does not name '{Settings.ServerName ?? host}'";
                    return false;
                }

                if (!ServerCertificates.ClientChains(roots, certificate))
                {
                    result.Problem = $"the server's certificate ({certificate.Subject}, issued by {certificate.Issuer}) does not chain to the namespace's backend CA ({roots[0].Subject})";
                    return false;
                }

                return true;
            },
        };
    }

    /// <summary>
    /// A TLS failure in words: what the certificate check found, else the handshake's own error. A server that refuses
    /// the client certificate (TLS 1.3 tells only after the handshake) shows as a connection closed at the first reply.
    /// </summary>
    public string Describe(Exception error, TlsCheck? check) =>
        check?.Problem ?? (ClientCertificate is null
            ? $"TLS handshake failed ({error.Message.TrimEnd('.')}); does the server require a client certificate (tls-auth-clients yes)?"
            : $"TLS handshake failed ({error.Message.TrimEnd('.')}); does the server's tls-ca-cert-file trust the client certificate {ClientCertificate.Subject}?");

    /// <summary>Never the key.</summary>
    public override string ToString() => Settings.ToString();
}

/// <summary>What one handshake's certificate check found wrong, if anything (filled by the validation callback).</summary>
public sealed class TlsCheck
{
    /// <summary>Why the server's certificate was refused; null when it was not (or was not checked yet).</summary>
    public string? Problem { get; set; }
}
