using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Tessera.Model.Security;

/// <summary>
/// How Tessera's HTTP clients (the CLI, the controller pushing routes to proxies, a proxy reporting to the controller)
/// trust an https endpoint: the system's trust store, or a CA file of the operator's (<c>--ca-cert</c> /
/// <see cref="CaVariable"/>) for certificates of a private CA. The host name is always checked.
/// </summary>
public static class TlsTrust
{
    /// <summary>Environment variable naming the CA file when <c>--ca-cert</c> is not given.</summary>
    public const string CaVariable = "TESSERA_CA_CERT";

    /// <summary><paramref name="given"/>, else the file <see cref="CaVariable"/> names, else null (the system's trust store).</summary>
    public static string? CaFile(string? given) =>
        given is { Length: > 0 } ? given : Environment.GetEnvironmentVariable(CaVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;

    /// <summary>Makes <paramref name="handler"/> trust <paramref name="caFile"/>'s certificates as roots too (null: the system's only); returns it.</summary>
    public static SocketsHttpHandler Trusting(this SocketsHttpHandler handler, string? caFile)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (caFile is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = Validator(Load(caFile));
        }

        return handler;
    }

    /// <summary>
    /// A validation callback accepting what the system trusts, and certificates that chain to <paramref name="roots"/>
    /// with the right host name.
    /// </summary>
    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection roots) =>
        (_, certificate, _, errors) => errors == SslPolicyErrors.None
            || (certificate is not null && (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
                && ServerCertificates.ClientChains(roots, certificate));

    /// <summary>The PEM certificates of <paramref name="caFile"/>; throws naming the file when it holds none.</summary>
    public static X509Certificate2Collection Load(string caFile)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new System.Security.Cryptography.CryptographicException($"cannot read the CA file {caFile}: {ex.Message}", ex);
        }

        return roots.Count > 0 ? roots : throw new System.Security.Cryptography.CryptographicException($"the CA file {caFile} holds no PEM certificate");
    }
}
