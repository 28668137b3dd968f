using System.Net;
using Tessera.Model.Tenants;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Tenants;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Who the client is: AUTH and HELLO ... AUTH bind the session to a namespace and a user (<see cref="TenantDirectory"/>);
/// every command is checked against the user's and the namespace's denied mask before it runs.
/// </remarks>
internal sealed partial class ClientSession
{
    /// <summary>The namespace a client that never AUTHs is served by, when that namespace is open.</summary>
    public const string DefaultNamespace = "default";

    private const string NoAuthError = "NOAUTH Authentication required.";
    private const string WrongPassError = "WRONGPASS invalid username-password pair or user is disabled.";

    /// <summary>Null until AUTH, or until the open "default" namespace is first used.</summary>
    private SessionUser? _user;

    /// <summary>Set from another thread when the session's user was removed: the read loop ends the connection.</summary>
    private volatile bool _evicted;

    private IPAddress? _clientAddress;

    /// <summary>True when the client reached the proxy over TLS.</summary>
    private bool _tls;

    /// <summary>The identities of the client's verified certificate (mutual TLS), or null.</summary>
    private IReadOnlyList<string>? _certificateIdentities;

    /// <summary>Marks the session as TLS, with its verified client certificate's identities (call before <see cref="RunAsync"/>).</summary>
    internal void UseTls(IReadOnlyList<string>? certificateIdentities)
    {
        _tls = true;
        _certificateIdentities = certificateIdentities;
    }

    /// <summary>The namespace this client is served by: "default" until AUTH binds another.</summary>
    public string Namespace => _user?.Namespace ?? DefaultNamespace;

    /// <summary>The user the client authenticated as ("default" for an open namespace).</summary>
    public string UserName => _user?.Name ?? "default";

    /// <summary>
    /// The session's user, binding it to the open "default" namespace on first use (when its allow-list admits the
    /// client); null while it must AUTH.
    /// </summary>
    private SessionUser? CurrentUser()
    {
        if (_user is null && _certificateIdentities is not null && _context.Tenants.ByCertificate(_certificateIdentities) is { } bound
            && AllowList.Allows(bound.Tenant.AllowedNetworks, ClientAddress()) && CountConnection(bound.Tenant))
        {
            // A verified client certificate a namespace lists selects that namespace: no AUTH needed.
            _user = bound;
        }

        if (_user is null && _context.Tenants.OpenUser(DefaultNamespace) is { } open && (_tls || !open.Tenant.RequireTls)
            && AllowList.Allows(open.Tenant.AllowedNetworks, ClientAddress()) && CountConnection(open.Tenant))
        {
            _user = open;
        }

        return _user;
    }

    /// <summary>
    /// The check every command passes before it runs: authenticated (only AUTH, HELLO, QUIT, RESET and PING work
    /// before), and neither the user nor the namespace denies it. One AND on the session's own state when allowed.
    /// </summary>
    private bool Permits(CommandSpec spec, CommandPolicy policy)
    {
        var user = _user ?? CurrentUser();
        if (user is null)
        {
            if (spec.Has(CommandFlags.NoAuth) || spec.Name == "ping")
            {
                return true;
            }

            RefuseCommand(spec, NoAuthError);
            return false;
        }

        ulong denied = policy.Acl & (user.Denied | user.Tenant.Denied);
        if (denied == 0 || spec.Has(CommandFlags.NoAuth))
        {
            return true;
        }

        RefuseCommand(spec, (denied & user.Denied) != 0
            ? $"NOPERM this user has no permissions to run the '{spec.Name}' command"
            : $"READONLY namespace '{user.Namespace}' is read-only (an operator switched its writes off: `tessera namespace set {user.Namespace} --readonly false` switches them on); reads still work");
        return false;
    }

    /// <summary>AUTH password | AUTH name password, answered as Redis does.</summary>
    private void Auth(RequestFrame frame, int first)
    {
        int args = frame.Count - first;
        if (args > 2)
        {
            ReplyError("ERR syntax error");
            return;
        }

        bool ok = args == 1
            ? Authenticate([], frame.ArgSpan(first))
            : Authenticate(frame.ArgSpan(first), frame.ArgSpan(first + 1));
        if (ok)
        {
            ReplyOk();
        }
    }

    /// <summary>
    /// Binds the session to whom <paramref name="name"/> and <paramref name="password"/> name (<see cref="TenantDirectory.Authenticate"/>);
    /// on failure answers the error, counts it and slows this client's address after repeated failures. A failed
    /// AUTH leaves the session as it was, as in Redis.
    /// </summary>
    private bool Authenticate(ReadOnlySpan<byte> name, ReadOnlySpan<byte> password)
    {
        var tenants = _context.Tenants;
        if (tenants.Authenticate(name, password) is { } user)
        {
            return Bind(user);
        }

        if (name.IsEmpty && !tenants.HasUsers && tenants.OpenUser(DefaultNamespace) is not null)
        {
            // Nothing has a password and the client's namespace is open: a fresh redis-server's answer.
            ReplyError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            return false;
        }

        ReplyError(WrongPassError);
        var pause = _context.AuthThrottle.Failed(ClientAddress());
        if (pause > TimeSpan.Zero)
        {
            PauseUntil(Task.Delay(pause, _context.Time));
        }

        return false;
    }

    private bool Bind(SessionUser user)
    {
        if (!AllowList.Allows(user.Tenant.AllowedNetworks, ClientAddress()))
        {
            // After the password check, so the answer tells nothing to someone who does not know the password.
            ReplyError($"NOPERM client address {ClientAddress()?.ToString() ?? RemoteAddress} may not use namespace '{user.Namespace}': it is not in the namespace's IP allow-list (its operators add it with `tessera namespace set {user.Namespace} --allow-ip ...`)");
            return false;
        }

        if (user.Tenant.RequireTls && !_tls)
        {
            ReplyError($"NOPERM namespace '{user.Namespace}' requires TLS: this connection is plain TCP; connect to the proxy's TLS port (redis-cli --tls --cacert ca.crt …)");
            return false;
        }

        var current = _user ?? CurrentUser();
        if (current is not null && current.Namespace != user.Namespace)
        {
            // What the session holds belongs to its namespace's servers: it cannot move with it.
            if (InMulti || _pubsub is { Count: > 0 } || _tracking is not null)
            {
                ReplyError($"ERR AUTH to namespace '{user.Namespace}' is refused while this connection is in MULTI, subscribed or tracking in namespace '{current.Namespace}'; RESET first, or open another connection");
                return false;
            }

            CloseDedicatedConnections();
            _written = default;
        }

        if (!CountConnection(user.Tenant))
        {
            ReplyError(ConnectionQuotaError(user.Tenant));
            return false;
        }

        _user = user;
        return true;
    }

    /// <summary>RESET: back to the user a new connection has (Redis: the default user).</summary>
    private void ResetUser()
    {
        _user = null;
        UncountConnection();
        _written = default;
    }

    /// <summary>
    /// Called from the thread that changed <paramref name="ns"/>'s users or allow-list: the session takes its user's new
    /// permissions, or is closed when its user is gone (as Redis closes a deleted user's connections) or its address is
    /// no longer allowed.
    /// </summary>
    internal void RefreshUser(string ns)
    {
        if (_user is not { } user || user.Namespace != ns)
        {
            return;
        }

        var next = _context.Tenants.Refresh(user);
        if (next is null || !AllowList.Allows(user.Tenant.AllowedNetworks, ClientAddress()) || (user.Tenant.RequireTls && !_tls))
        {
            _evicted = true;
            Wake();
            return;
        }

        _user = next;
    }

    /// <summary>The client's address: the socket's, or the one a PROXY protocol header gave.</summary>
    private IPAddress? ClientAddress() => _clientAddress ??= IPEndPoint.TryParse(RemoteAddress, out var endpoint) ? endpoint.Address : null;
}
