namespace Tessera.Model.Api;

/// <summary>Body of POST /api/namespaces.</summary>
/// <param name="Name">The namespace's name.</param>
/// <param name="Open">True: clients may use it without a password (<see cref="Topology.NamespaceConfig.Open"/>).</param>
public sealed record CreateNamespaceRequest(string Name, bool Open = false);

/// <summary>Changes a namespace's settings; a null field is left as it is.</summary>
/// <param name="AllowFlush">Whether FLUSHDB/FLUSHALL through the proxies empty every group of the namespace.</param>
/// <param name="Open">Whether clients may use it without a password.</param>
/// <param name="ReadOnly">The read-only switch: writes are refused, reads go on.</param>
/// <param name="AllowedIps">The client networks allowed (CIDR), replacing the list; empty: any address.</param>
/// <param name="Quota">Limits to change: a null field stays as it is, 0 removes that limit, a positive number sets it.</param>
/// <param name="Reads">Read routing to change (<see cref="ReadSettingsChange"/>); null leaves it.</param>
/// <param name="RequireTls">Whether clients must reach the namespace over TLS.</param>
/// <param name="ClientCertificates">Client certificate identities binding a connection without AUTH, replacing the list; empty: none.</param>
public sealed record UpdateNamespaceRequest(bool? AllowFlush = null, bool? Open = null, bool? ReadOnly = null, IReadOnlyList<string>? AllowedIps = null, Topology.NamespaceQuota? Quota = null, ReadSettingsChange? Reads = null, bool? RequireTls = null, IReadOnlyList<string>? ClientCertificates = null)
{
    /// <summary>True when the request changes nothing.</summary>
    public bool IsEmpty => AllowFlush is null && Open is null && ReadOnly is null && AllowedIps is null && Quota is null && (Reads is null || Reads.IsEmpty) && RequireTls is null && ClientCertificates is null;
}

/// <summary>Changes to a namespace's <see cref="Topology.ReadSettings"/>; a null field stays as it is.</summary>
/// <param name="Mode">master, replica, prefer-replica or nearest.</param>
/// <param name="MaxLagBytes">How far behind its master (bytes of replication offset) a replica may be and still serve reads.</param>
/// <param name="ReadYourWritesMs">How long after a session's write to a group its reads of that group stay at the master; 0: off.</param>
/// <param name="Fallback">Where nearest reads go without a fresh replica in the proxy's zone.</param>
public sealed record ReadSettingsChange(Topology.ReadMode? Mode = null, long? MaxLagBytes = null, int? ReadYourWritesMs = null, Topology.ReadFallback? Fallback = null)
{
    public bool IsEmpty => Mode is null && MaxLagBytes is null && ReadYourWritesMs is null && Fallback is null;
}

/// <summary>Body of POST /api/namespaces/{ns}/users: a new user; without a password one is generated and answered once.</summary>
public sealed record CreateUserRequest(string Name, string? Password = null, Tenants.UserAccess Access = Tenants.UserAccess.ReadWrite, IReadOnlyList<string>? Deny = null);

/// <summary>
/// Body of PATCH /api/namespaces/{ns}/users/{user}; a null field is left as it is. Rotation: add the new password
/// (the user then has two), move the clients, remove the old one.
/// </summary>
/// <param name="AddPassword">A password to add (at most two are held); "" generates one, answered once.</param>
/// <param name="RemovePassword">A password to remove (the last one cannot be removed).</param>
/// <param name="Access">readWrite or readOnly.</param>
/// <param name="Deny">The ACL categories to deny, replacing the current list (empty: none).</param>
public sealed record UpdateUserRequest(string? AddPassword = null, string? RemovePassword = null, Tenants.UserAccess? Access = null, IReadOnlyList<string>? Deny = null)
{
    public bool IsEmpty => AddPassword is null && RemovePassword is null && Access is null && Deny is null;
}

/// <summary>A user as the API shows it: never a password or a hash.</summary>
/// <param name="Namespace">The namespace it belongs to.</param>
/// <param name="Name">The user's name (AUTH &lt;namespace&gt;.&lt;name&gt; &lt;password&gt;).</param>
/// <param name="Passwords">How many passwords it holds (2 while rotating).</param>
/// <param name="Access">readWrite or readOnly.</param>
/// <param name="Deny">Denied ACL categories.</param>
/// <param name="Password">Only in the answer that created it: the generated or added password, shown this once.</param>
public sealed record UserView(string Namespace, string Name, int Passwords, Tenants.UserAccess Access, IReadOnlyList<string> Deny, string? Password = null);

/// <summary>Body of PUT /api/namespaces/{ns}/secrets/backend: how the namespace's redis-servers are logged in to.</summary>
/// <param name="Password">The servers' password (requirepass, or the ACL user's).</param>
/// <param name="User">The ACL user; null or absent for the default user.</param>
public sealed record SetBackendCredentialsRequest(string? Password, string? User = null)
{
    /// <summary>Never the password (records print every member).</summary>
    public override string ToString() => $"SetBackendCredentialsRequest {{ User = {User}, Password = {Tenants.BackendCredentials.Masked} }}";
}

/// <summary>A namespace's backend credentials as the API shows them: the user, and the password always as "***".</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="User">The ACL user, or null for the default user.</param>
/// <param name="Password">Always <see cref="Tenants.BackendCredentials.Masked"/>.</param>
/// <param name="Summary">What the change did, in words (only in the answer to a change).</param>
/// <param name="Warnings">What the operator should know that did not stop the change (a replica whose masterauth could not be updated).</param>
public sealed record BackendCredentialsView(string Namespace, string? User, string Password = Tenants.BackendCredentials.Masked, string? Summary = null, IReadOnlyList<string>? Warnings = null);

/// <summary>Body of PUT /api/namespaces/{ns}/secrets/backend-tls: how the namespace's redis-servers are reached over TLS, as PEM text.</summary>
/// <param name="CaCertificate">PEM certificate(s) of the CA the servers' certificates chain to (their tls-ca-cert-file's issuer).</param>
/// <param name="ClientCertificate">PEM client certificate for servers with tls-auth-clients yes; null for none.</param>
/// <param name="ClientKey">PEM private key of <paramref name="ClientCertificate"/>; given exactly when it is.</param>
/// <param name="ServerName">The name the servers' certificates carry, when it is not the host of their addresses.</param>
public sealed record SetBackendTlsRequest(string? CaCertificate, string? ClientCertificate = null, string? ClientKey = null, string? ServerName = null)
{
    /// <summary>Never the key (records print every member).</summary>
    public override string ToString() =>
        $"SetBackendTlsRequest {{ CaCertificate = {CaCertificate?.Length ?? 0} chars, ClientCertificate = {ClientCertificate?.Length ?? 0} chars, ClientKey = {(ClientKey is null ? "null" : Tenants.BackendCredentials.Masked)}, ServerName = {ServerName} }}";
}

/// <summary>A namespace's backend TLS as the API shows it: who the certificates are and until when, the key always as "***".</summary>
/// <param name="Namespace">The namespace.</param>
/// <param name="Ca">Subject of the (first) CA certificate.</param>
/// <param name="CaNotAfter">When it expires.</param>
/// <param name="ClientCertificate">Subject of the client certificate, or null when none is presented.</param>
/// <param name="ClientCertificateNotAfter">When it expires.</param>
/// <param name="ClientKey"><see cref="Tenants.BackendCredentials.Masked"/> when a client certificate is set, else null.</param>
/// <param name="ServerName">The name verified in the servers' certificates; null: each server's host.</param>
/// <param name="Summary">What the change did, in words (only in the answer to a change).</param>
/// <param name="Warnings">What the operator should know that did not stop the change (a replica that could not be checked).</param>
public sealed record BackendTlsView(
    string Namespace,
    string? Ca,
    DateTimeOffset? CaNotAfter,
    string? ClientCertificate = null,
    DateTimeOffset? ClientCertificateNotAfter = null,
    string? ClientKey = null,
    string? ServerName = null,
    string? Summary = null,
    IReadOnlyList<string>? Warnings = null);

/// <summary>Body of POST /api/namespaces/{ns}/groups: a new, empty group with this id (a positive integer).</summary>
public sealed record CreateGroupRequest(int Id);

/// <summary>
/// Body of POST /api/namespaces/{ns}/groups/{gid}/servers: a redis-server ("host:port") joins the group,
/// as its master when the group has none, otherwise as a replica of the master.
/// </summary>
public sealed record AddServerRequest(string Address, string? Zone = null);

/// <summary>Body of PATCH /api/namespaces/{ns}/groups/{id}/servers/{address}: the server's zone label; "" or null removes it.</summary>
public sealed record UpdateServerRequest(string? Zone = null);

/// <summary>Body of POST /api/namespaces/{ns}/slots: slots <see cref="From"/>..<see cref="To"/> (inclusive, all unassigned) go to group <see cref="Group"/>.</summary>
public sealed record AssignSlotsRequest(int From, int To, int Group);
