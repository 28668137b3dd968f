namespace Tessera.Clients.Tests.Support;

/// <summary>
/// The TLS transport a client test connects with: the CA the proxy's certificate must chain to, and optionally a
/// client certificate and key (mutual TLS). Null where a test takes one means plain TCP.
/// </summary>
public sealed record ClientTls(string CaFile, string? CertificateFile = null, string? KeyFile = null)
{
    /// <summary>
    /// The options every client program here takes for it (redis-cli's own flags, which tests/clients/python/*.py and
    /// tests/clients/node/*.mjs take too): --tls --cacert CA [--cert C --key K]; nothing for plain TCP.
    /// </summary>
    public static IReadOnlyList<string> Arguments(ClientTls? tls) => tls switch
    {
        null => [],
        { CertificateFile: { } cert, KeyFile: { } key } => ["--tls", "--cacert", tls.CaFile, "--cert", cert, "--key", key],
        _ => ["--tls", "--cacert", tls.CaFile],
    };
}
