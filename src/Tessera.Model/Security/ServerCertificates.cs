using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Tessera.Model.Security;

/// <summary>
/// The certificate (and client CA) a TLS listener presents, read from <see cref="TlsFiles"/> and read again when the
/// files change: every handshake asks <see cref="Options"/>, which compares the files' modification times and sizes
/// with those loaded (three stat calls, nothing next to a handshake) and reloads when they differ. Connections already
/// open keep their session; new handshakes get the new certificate. Files caught half-written (a new certificate with
/// the old key) fail to load: the previous certificate stays in use and the load is retried at the next handshake,
/// so rotating by writing new files and renaming them into place is never seen torn.
/// </summary>
public sealed class ServerCertificates
{
    private readonly TlsFiles _files;
    private readonly Action<string>? _warn;
    private readonly Lock _lock = new();
    private Loaded _current;
    private Stamp _failed;

    /// <summary>Loads the files now; throws (naming the file) when they cannot be used.</summary>
    public ServerCertificates(TlsFiles files, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        _files = files;
        _warn = warn;
        var stamp = Stamp.Of(files);
        _current = Load(files, stamp);
    }

    /// <summary>True when client certificates are asked for and verified (mutual TLS).</summary>
    public bool RequireClientCertificate => _files.ClientCaFile is not null;

    /// <summary>The certificate new handshakes present now.</summary>
    public X509Certificate2 Certificate => Current().Certificate;

    /// <summary>Times the files were read again after a change, since start.</summary>
    public int Reloads { get; private set; }

    /// <summary>The server options for a new handshake (current certificate; client verification when configured).</summary>
    public SslServerAuthenticationOptions Options() => Current().Options;

    private Loaded Current()
    {
        var current = Volatile.Read(ref _current);
        Stamp stamp;
        try
        {
            stamp = Stamp.Of(_files);
        }
        catch (IOException)
        {
            return current;
        }

        if (stamp == current.Stamp)
        {
            return current;
        }

        lock (_lock)
        {
            if (_current.Stamp == stamp || _failed == stamp)
            {
                return _current;
            }

            try
            {
                var next = Load(_files, stamp);
                Volatile.Write(ref _current, next);
                Reloads++;
                _warn?.Invoke($"TLS certificate reloaded from {_files.CertificateFile}: {next.Certificate.Subject}, valid until {next.Certificate.NotAfter:u}");
                return next;
            }
#pragma warning disable CA1031 // A bad new file must never take the listener down: keep serving the old certificate.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failed = stamp;
                _warn?.Invoke($"TLS files changed but cannot be loaded ({ex.Message}); still presenting {_current.Certificate.Subject}. Write new files, then rename them into place.");
                return _current;
            }
        }
    }

    private static Loaded Load(TlsFiles files, Stamp stamp)
    {
        X509Certificate2 certificate;
        var chain = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(files.CertificateFile, files.KeyFile);
            chain.ImportFromPemFile(files.CertificateFile);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CryptographicException($"cannot load the TLS certificate {files.CertificateFile} with key {files.KeyFile}: {ex.Message}", ex);
        }

        var intermediates = new X509Certificate2Collection();
        foreach (var extra in chain)
        {
            if (extra.Thumbprint != certificate.Thumbprint)
            {
                intermediates.Add(extra);
            }
        }

        X509Certificate2Collection? clientCa = null;
        if (files.ClientCaFile is { } caFile)
        {
            clientCa = [];
            try
            {
                clientCa.ImportFromPemFile(caFile);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new CryptographicException($"cannot load the client CA {caFile}: {ex.Message}", ex);
            }

            if (clientCa.Count == 0)
            {
                throw new CryptographicException($"the client CA file {caFile} holds no PEM certificate");
            }
        }

        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true),
            ClientCertificateRequired = clientCa is not null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            EnabledSslProtocols = SslProtocols.None,
        };
        if (clientCa is not null)
        {
            options.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && ClientChains(clientCa, presented);
        }

        return new Loaded(stamp, certificate, options);
    }

    /// <summary>True when <paramref name="presented"/> chains to one of <paramref name="roots"/> and is valid now.</summary>
    public static bool ClientChains(X509Certificate2Collection roots, X509Certificate presented)
    {
        ArgumentNullException.ThrowIfNull(roots);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return chain.Build(leaf);
    }

    private sealed record Loaded(Stamp Stamp, X509Certificate2 Certificate, SslServerAuthenticationOptions Options);

    /// <summary>Modification times and sizes of the three files.</summary>
    private readonly record struct Stamp(DateTime Cert, long CertLength, DateTime Key, long KeyLength, DateTime Ca, long CaLength)
    {
        public static Stamp Of(TlsFiles files)
        {
            var cert = new FileInfo(files.CertificateFile);
            var key = new FileInfo(files.KeyFile);
            var ca = files.ClientCaFile is null ? null : new FileInfo(files.ClientCaFile);
            return new Stamp(cert.LastWriteTimeUtc, cert.Exists ? cert.Length : -1, key.LastWriteTimeUtc, key.Exists ? key.Length : -1, ca?.LastWriteTimeUtc ?? default, ca is { Exists: true } ? ca.Length : -1);
        }
    }
}
