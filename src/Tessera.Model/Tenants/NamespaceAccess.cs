namespace Tessera.Model.Tenants;

/// <summary>
/// Who may use a namespace: its users, with password hashes and permissions. Kept in its own store document
/// (<c>/tessera/namespaces/{ns}/access</c>), apart from the routes, so that route pushes, <c>GET /api/namespaces</c>
/// and a proxy's topology views never carry password hashes. Proxies read it from the store.
/// </summary>
public sealed record NamespaceAccess
{
    /// <summary>Random key (base64) of this namespace's password hashes (<see cref="PasswordHash"/>).</summary>
    public string Salt { get; init; } = "";

    public IReadOnlyList<NamespaceUser> Users { get; init; } = [];

    /// <summary>How the namespace's own redis-servers are logged in to (requirepass or an ACL user); null when they need no password.</summary>
    public BackendCredentials? Backend { get; init; }

    /// <summary>How the namespace's redis-servers are reached over TLS (CA, optional client certificate); null: plain TCP.</summary>
    public BackendTls? BackendTls { get; init; }

    /// <summary>The user called <paramref name="name"/>, or null.</summary>
    public NamespaceUser? Find(string name) => Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
}

/// <summary>One user of a namespace: a name, one or two passwords (two while rotating), and what it may run.</summary>
public sealed record NamespaceUser
{
    /// <summary>Most passwords a user holds at once: the current one and the next, so clients can move without downtime.</summary>
    public const int MaxPasswords = 2;

    public required string Name { get; init; }

    /// <summary>Hashes of the user's passwords (<see cref="PasswordHash.Compute"/>), never the passwords.</summary>
    public IReadOnlyList<string> Passwords { get; init; } = [];

    public UserAccess Access { get; init; } = UserAccess.ReadWrite;

    /// <summary>ACL categories the user may not run, as Redis names them ("@admin", "@dangerous", ...).</summary>
    public IReadOnlyList<string> DeniedCategories { get; init; } = [];
}

/// <summary>Whether a user may change data.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<UserAccess>))]
public enum UserAccess
{
    /// <summary>Every command its denied categories leave.</summary>
    ReadWrite,

    /// <summary>No command that writes (ACL category @write), and no EVAL/EVALSHA/FCALL (EVAL_RO, EVALSHA_RO and FCALL_RO work).</summary>
    ReadOnly,
}
