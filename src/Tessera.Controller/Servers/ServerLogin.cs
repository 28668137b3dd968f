using Tessera.Model.Security;
using Tessera.Model.Tenants;

namespace Tessera.Controller.Servers;

/// <summary>
/// How the controller reaches one namespace's servers: over TLS (<see cref="Tls"/>, the namespace's
/// <see cref="NamespaceAccess.BackendTls"/> parsed once) and logged in with its backend credentials, either or both.
/// Null where a server needs neither. Never prints the password or the key.
/// </summary>
internal sealed record ServerLogin(BackendCredentials? Credentials, BackendTlsClient? Tls)
{
    /// <summary>Null when there is nothing to do (plain TCP, no password), else the login.</summary>
    public static ServerLogin? Of(BackendCredentials? credentials, BackendTlsClient? tls) =>
        credentials is null && tls is null ? null : new ServerLogin(credentials, tls);

    /// <summary>
    /// The login an access document describes. Its TLS settings were checked when they were set; a document that cannot
    /// be used any more (edited by hand) throws <see cref="ArgumentException"/> saying why.
    /// </summary>
    public static ServerLogin? Of(NamespaceAccess access) =>
        Of(access.Backend, access.BackendTls is { } tls ? BackendTlsClient.Create(tls) : null);

    /// <summary>The same credentials over <paramref name="tls"/>.</summary>
    public ServerLogin? WithTls(BackendTlsClient? tls) => Of(Credentials, tls);

    /// <summary>Never the password or the key.</summary>
    public override string ToString() => $"{Credentials?.ToString() ?? "no password"}, {(Tls is null ? "plain TCP" : "TLS")}";
}
