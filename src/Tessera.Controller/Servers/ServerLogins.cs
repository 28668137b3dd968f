using Tessera.Controller.Topology;
using Tessera.Model.Tenants;

namespace Tessera.Controller.Servers;

/// <summary>
/// Which backend credentials log in to which server, as of the last look at the store: every server named by a
/// namespace's groups uses that namespace's (servers belong to one namespace). Refreshed by every health round
/// (<see cref="RefreshAsync"/>) and at once by the change that sets them (<see cref="Note"/>).
/// </summary>
/// <remarks>
/// A server is remembered after it left its groups (an old master awaiting rejoin is still that namespace's), until
/// another namespace names it. Both maps are swapped whole, so readers take no lock.
/// </remarks>
internal sealed class ServerLogins
{
    private readonly NamespaceRepository _namespaces;
    private readonly object _gate = new();
    private Dictionary<string, string> _owners = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, BackendCredentials> _credentials = new(StringComparer.Ordinal);

    public ServerLogins(NamespaceRepository namespaces)
    {
        _namespaces = namespaces;
    }

    /// <summary>The credentials of the namespace <paramref name="address"/> belongs to; null when none are set (or it belongs to none).</summary>
    public BackendCredentials? For(string address) =>
        Volatile.Read(ref _owners).TryGetValue(address, out var ns) ? ForNamespace(ns) : null;

    /// <summary>The namespace's credentials as last seen; null when none are set.</summary>
    public BackendCredentials? ForNamespace(string ns) => Volatile.Read(ref _credentials).GetValueOrDefault(ns);

    /// <summary>Reads every namespace and access document (one listing) and returns the namespaces read.</summary>
    public async Task<IReadOnlyList<StoredNamespace>> RefreshAsync(CancellationToken cancellationToken)
    {
        var (namespaces, credentials) = await _namespaces.ListWithBackendCredentialsAsync(cancellationToken).ConfigureAwait(false);
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

            Volatile.Write(ref _owners, owners);
            Volatile.Write(ref _credentials, new Dictionary<string, BackendCredentials>(credentials, StringComparer.Ordinal));
        }

        return namespaces;
    }

    /// <summary>Takes a namespace's new credentials (null: removed) and its servers at once, before the next refresh.</summary>
    public void Note(string ns, BackendCredentials? credentials, IEnumerable<string> servers)
    {
        lock (_gate)
        {
            var owners = new Dictionary<string, string>(_owners, StringComparer.OrdinalIgnoreCase);
            foreach (var server in servers)
            {
                owners[server] = ns;
            }

            var next = new Dictionary<string, BackendCredentials>(_credentials, StringComparer.Ordinal);
            if (credentials is null)
            {
                next.Remove(ns);
            }
            else
            {
                next[ns] = credentials;
            }

            Volatile.Write(ref _owners, owners);
            Volatile.Write(ref _credentials, next);
        }
    }
}
