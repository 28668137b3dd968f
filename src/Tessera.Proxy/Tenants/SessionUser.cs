namespace Tessera.Proxy.Tenants;

/// <summary>
/// Who a session is: its namespace and user, with the denied mask the per-command check ANDs with a command's
/// bits (<see cref="Commands.AclMask"/>). Immutable; a change of the user's permissions gives the session a new one.
/// </summary>
internal sealed class SessionUser
{
    public SessionUser(Tenant tenant, string name, ulong denied, bool viaOpenNamespace)
    {
        Tenant = tenant;
        Name = name;
        Denied = denied;
        ViaOpenNamespace = viaOpenNamespace;
    }

    public Tenant Tenant { get; }

    public string Namespace => Tenant.Name;

    /// <summary>The user's name; "default" for a session of an open namespace that matched no user.</summary>
    public string Name { get; }

    public ulong Denied { get; }

    /// <summary>True when no user's password admitted the session: the namespace is open.</summary>
    public bool ViaOpenNamespace { get; }

    /// <summary>The client certificate identity that bound the session (no AUTH), or null.</summary>
    public string? Certificate { get; init; }
}
