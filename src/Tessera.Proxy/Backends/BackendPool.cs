using Tessera.Model.Security;
using Tessera.Model.Tenants;
using Tessera.Proxy.Stats;

namespace Tessera.Proxy.Backends;

/// <summary>
/// Every backend server the proxy talks to, by address. Topology snapshots share these objects, so
/// a route change keeps the connections of servers that stay; servers no topology names any more are
/// closed. A timer checks request timeouts of every connection.
/// </summary>
internal sealed class BackendPool : IAsyncDisposable
{
    private readonly ProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ProxyStats _stats;
    private readonly object _gate = new();
    private readonly Dictionary<string, BackendServer> _servers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, BackendCredentials> _credentials = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BackendTlsClient> _tls = new(StringComparer.Ordinal);
    private readonly ITimer _timeoutTimer;

    public BackendPool(ProxyOptions options, TimeProvider time, ProxyStats stats)
    {
        _options = options;
        _time = time;
        _stats = stats;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.RequestTimeout.TotalMilliseconds / 4, 10, 250));
        _timeoutTimer = time.CreateTimer(static state => ((BackendPool)state!).CheckTimeouts(), this, period, period);
    }

    /// <summary>
    /// The server at <paramref name="address"/>, created on first use, named by namespace <paramref name="ns"/>'s routes:
    /// it logs in with that namespace's backend credentials (<see cref="SetCredentials"/>).
    /// </summary>
    public BackendServer Get(string address, string ns)
    {
        lock (_gate)
        {
            if (!_servers.TryGetValue(address, out var server))
            {
                server = new BackendServer(address, _options, _time, _stats);
                _servers.Add(address, server);
            }

            var credentials = _credentials.GetValueOrDefault(ns);
            var tls = _tls.GetValueOrDefault(ns);
            if (server.Login is not { } login || login.Namespace != ns || !Equals(login.Credentials, credentials) || !ReferenceEquals(login.Tls, tls))
            {
                server.SetLogin(new BackendLogin(ns, credentials, tls));
            }

            return server;
        }
    }

    /// <summary>
    /// Takes namespace <paramref name="ns"/>'s backend credentials (null: its servers need no password) from its access
    /// document, whenever it arrives or changes: its servers' new links log in with them, and shared links that are up log
    /// in again (<see cref="BackendServer.SetLogin"/>).
    /// </summary>
    public void SetCredentials(string ns, BackendCredentials? credentials)
    {
        lock (_gate)
        {
            if (Equals(_credentials.GetValueOrDefault(ns), credentials))
            {
                return;
            }

            if (credentials is null)
            {
                _credentials.Remove(ns);
            }
            else
            {
                _credentials[ns] = credentials;
            }

            foreach (var server in _servers.Values)
            {
                if (server.Login?.Namespace == ns)
                {
                    server.SetLogin(new BackendLogin(ns, credentials, _tls.GetValueOrDefault(ns)));
                }
            }
        }
    }

    /// <summary>
    /// Takes namespace <paramref name="ns"/>'s backend TLS (null: plain TCP) from its access document, whenever it arrives
    /// or changes; false (nothing changed) when it is the same as before. Its servers' shared links move to new TLS links
    /// at once, the old ones closing once they answered what they carry (<see cref="BackendServer.SetLogin"/>).
    /// </summary>
    /// <remarks>The caller parses the PEM text (<see cref="BackendTlsClient.Create"/>) and keeps the old settings when it cannot.</remarks>
    public bool SetTls(string ns, BackendTlsClient? tls)
    {
        lock (_gate)
        {
            var current = _tls.GetValueOrDefault(ns);
            if (current?.Settings == tls?.Settings)
            {
                return false;
            }

            if (tls is null)
            {
                _tls.Remove(ns);
            }
            else
            {
                _tls[ns] = tls;
            }

            foreach (var server in _servers.Values)
            {
                if (server.Login?.Namespace == ns)
                {
                    server.SetLogin(new BackendLogin(ns, _credentials.GetValueOrDefault(ns), tls));
                }
            }

            return true;
        }
    }

    /// <summary>The backend TLS settings namespace <paramref name="ns"/> uses now (null: plain TCP).</summary>
    public BackendTls? TlsOf(string ns)
    {
        lock (_gate)
        {
            return _tls.GetValueOrDefault(ns)?.Settings;
        }
    }

    /// <summary>Servers currently known, for INFO.</summary>
    public IReadOnlyList<BackendServer> Snapshot()
    {
        lock (_gate)
        {
            return [.. _servers.Values];
        }
    }

    /// <summary>Closes servers that are not in <paramref name="keep"/>.</summary>
    public void Retain(IReadOnlySet<string> keep)
    {
        List<BackendServer> removed = [];
        lock (_gate)
        {
            foreach (var (address, server) in _servers)
            {
                if (!keep.Contains(address))
                {
                    removed.Add(server);
                }
            }

            foreach (var server in removed)
            {
                _servers.Remove(server.Address);
            }
        }

        foreach (var server in removed)
        {
            _ = server.DisposeAsync();
        }
    }

    private void CheckTimeouts()
    {
        BackendServer[] servers;
        lock (_gate)
        {
            servers = [.. _servers.Values];
        }

        foreach (var server in servers)
        {
            server.CheckTimeouts();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timeoutTimer.DisposeAsync().ConfigureAwait(false);
        BackendServer[] servers;
        lock (_gate)
        {
            servers = [.. _servers.Values];
            _servers.Clear();
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
