using Tessera.Controller.Topology;
using Tessera.Model.Security;
using Tessera.Model.Tenants;

namespace Tessera.Controller.Servers;

/// <summary>
/// How to reach which server, as of the last look at the store: every server named by a namespace's groups uses that
/// namespace's backend credentials and backend TLS (servers belong to one namespace). Refreshed by every health round
/// (<see cref="RefreshAsync"/>) and at once by the change that sets them (<see cref="Note"/>).
/// </summary>
/// <remarks>
/// A server is remembered after it left its groups (an old master awaiting rejoin is still that namespace's), until
/// another namespace names it. Both maps are swapped whole, so readers take no lock. A namespace's TLS settings are
/// parsed once and the parsed form kept while the stored settings stay equal, so a probe each second costs no PEM parsing.
/// </remarks>
internal sealed class ServerLogins
{
    private readonly NamespaceRepository _namespaces;
    private readonly object _gate = new();
    private Dictionary<string, string> _owners = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, ServerLogin> _logins = new(StringComparer.Ordinal);

    public ServerLogins(NamespaceRepository namespaces)
    {
        _namespaces = namespaces;
    }

    /// <summary>The login of the namespace <paramref name="address"/> belongs to; null when it needs none (or it belongs to none).</summary>
    public ServerLogin? For(string address) =>
        Volatile.Read(ref _owners).TryGetValue(address, out var ns) ? ForNamespace(ns) : null;

    /// <summary>The namespace's login as last seen; null when it has neither credentials nor TLS.</summary>
    public ServerLogin? ForNamespace(string ns) => Volatile.Read(ref _logins).GetValueOrDefault(ns);

    /// <summary>Reads every namespace and access document (one listing) and returns the namespaces read.</summary>
    public async Task<IReadOnlyList<StoredNamespace>> RefreshAsync(CancellationToken cancellationToken)
    {
        var (namespaces, backends) = await _namespaces.ListWithBackendCredentialsAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var owners = new Dictionary<string, string>(_owners, StringComparer.OrdinalIgnoreCase);
            foreach (var stored in namespaces)
            {
                foreach (var group in stored.Config.Groups)
                {
                    if (group.Master.Length > 0)
                    {
                        owners[group.Master] = stored.Config.Name;
                    }

                    foreach (var replica in group.Replicas)
                    {
                        owners[replica] = stored.Config.Name;
                    }
                }
            }

            var logins = new Dictionary<string, ServerLogin>(StringComparer.Ordinal);
            foreach (var (ns, access) in backends)
            {
                if (ServerLogin.Of(access.Backend, TlsOf(ns, access.BackendTls)) is { } login)
                {
                    logins[ns] = login;
                }
            }

            Volatile.Write(ref _owners, owners);
            Volatile.Write(ref _logins, logins);
        }

        return namespaces;
    }

    /// <summary>Takes a namespace's new login (null: neither credentials nor TLS) and its servers at once, before the next refresh.</summary>
    public void Note(string ns, ServerLogin? login, IEnumerable<string> servers)
    {
        lock (_gate)
        {
            var owners = new Dictionary<string, string>(_owners, StringComparer.OrdinalIgnoreCase);
            foreach (var server in servers)
            {
                owners[server] = ns;
            }

            var next = new Dictionary<string, ServerLogin>(_logins, StringComparer.Ordinal);

            // The same TLS settings parsed again keep the instance in use, so kept connections are not reopened for nothing.
            if (login?.Tls is { } tls && _logins.GetValueOrDefault(ns)?.Tls is { } current && current.Settings == tls.Settings)
            {
                login = login with { Tls = current };
            }

            if (login is null)
            {
                next.Remove(ns);
            }
            else
            {
                next[ns] = login;
            }

            Volatile.Write(ref _owners, owners);
            Volatile.Write(ref _logins, next);
        }
    }

    /// <summary>The parsed TLS of <paramref name="settings"/>: the one in use when they did not change; null when unusable (edited by hand: probes then fail, saying TLS).</summary>
    private BackendTlsClient? TlsOf(string ns, BackendTls? settings)
    {
        if (settings is null)
        {
            return null;
        }

        if (_logins.GetValueOrDefault(ns)?.Tls is { } current && current.Settings == settings)
        {
            return current;
        }

        try
        {
            return BackendTlsClient.Create(settings);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
