namespace Tessera.Model.Tenants;

/// <summary>
/// How proxies and controllers log in to a namespace's redis-servers: <c>AUTH password</c>, or <c>AUTH user password</c>
/// for an ACL user. Kept in the namespace's access document (<see cref="NamespaceAccess.Backend"/>).
/// </summary>
/// <remarks>
/// The password is stored in clear: unlike a client's password, which the proxy only checks (and so keeps as a hash),
/// this one is presented to the servers and must be known. The coordinator store is the secret boundary (etcd auth and
/// TLS are separate work); the API, the CLI and the logs never show it (<see cref="Masked"/>, <see cref="ToString"/>).
/// </remarks>
public sealed record BackendCredentials
{
    /// <summary>What is shown wherever the password would be.</summary>
    public const string Masked = "***";

    /// <summary>The ACL user, or null for the default user (requirepass).</summary>
    public string? User { get; init; }

    public required string Password { get; init; }

    /// <summary>Never the password: records print every member, and these end up in log lines and exceptions.</summary>
    public override string ToString() => User is null ? $"password {Masked}" : $"user {User}, password {Masked}";
}
