namespace Tessera.Model.Tenants;

/// <summary>
/// How proxies and controllers reach a namespace's redis-servers over TLS (servers started with <c>--tls-port</c>): the
/// CA their certificates chain to, optionally a client certificate for servers with <c>tls-auth-clients yes</c>, and the
/// name to verify when it is not the host of the server's address. Kept in the namespace's access document
/// (<see cref="NamespaceAccess.BackendTls"/>) as PEM text, not file paths, so every proxy and controller on any host gets
/// it through the store and a rotation needs no files copied anywhere.
/// </summary>
/// <remarks>
/// The private key is secret like the backend password: the API, the CLI and the logs never show it (<see cref="ToString"/>;
/// the API's view carries only the certificates' subjects and expiry). Compared by value, so a store document read again
/// with the same contents changes nothing on the live links.
/// </remarks>
public sealed record BackendTls
{
    /// <summary>PEM certificate(s) of the authority the servers' certificates must chain to (custom root trust).</summary>
    public required string CaCertificate { get; init; }

    /// <summary>PEM client certificate chain (leaf first) presented to servers; null: none (servers with <c>tls-auth-clients no</c>).</summary>
    public string? ClientCertificate { get; init; }

    /// <summary>PEM private key (PKCS#8, RSA or EC) of <see cref="ClientCertificate"/>; set exactly when it is.</summary>
    public string? ClientKey { get; init; }

    /// <summary>The DNS name (or IP) the servers' certificates must carry; null: the host of each server's address.</summary>
    public string? ServerName { get; init; }

    /// <summary>Never the key (records print every member, and these end up in log lines and exceptions).</summary>
    public override string ToString() =>
        $"backend TLS (CA {CaCertificate.Length} chars, {(ClientCertificate is null ? "no client certificate" : "client certificate, key " + BackendCredentials.Masked)}{(ServerName is null ? "" : ", server name " + ServerName)})";
}
