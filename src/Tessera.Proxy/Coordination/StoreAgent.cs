using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Cluster;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;
using Tessera.Model.Api;
using Tessera.Model.Security;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Stats;
using Tessera.Proxy.Tenants;
using Tessera.Model.Tenants;
using Tessera.Store;

namespace Tessera.Proxy.Coordination;

/// <summary>
/// Keeps a proxy in step with the coordinator store: loads every namespace at start, registers the
/// proxy with a lease and renews it, follows namespace changes through a watch (the repair path behind
/// the controller's pushes), follows the cluster secret and the API tokens its admin API checks callers against
/// (<see cref="ProxyCredentials"/>), and fences the proxy when its lease cannot be renewed in time.
/// </summary>
/// <remarks>
/// Fencing (architecture §3): if no renewal has succeeded for a whole lease TTL, the controller may already
/// have moved on without this proxy, so it stops routing (-TRYAGAIN) until it has a new lease, has
/// re-registered and has reloaded every namespace.
/// </remarks>
internal sealed partial class StoreAgent : IAsyncDisposable
{
    private readonly RoutingState _routing;
    private readonly TenantDirectory _tenants;
    private readonly BackendPool _backends;
    private readonly ProxyStats _stats;
    private readonly TimeProvider _time;
    private readonly TimeSpan _requestTimeout;
    private readonly ICoordinatorStore _store;
    private readonly ProxyRecord _record;
    private readonly TimeSpan _ttl;
    private readonly ILogger _logger;
    private readonly ProxyCredentials _credentials;
    private readonly ClusterFace _cluster;
    private readonly CancellationTokenSource _stop = new();
    private long _lease;
    private long _lastRenewal;
    private Task _keepAlive = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;
    private Task _credentialWatch = Task.CompletedTask;
    private Task _proxyWatch = Task.CompletedTask;
    private readonly Lock _proxiesGate = new();
    private long _proxiesRevision;

    /// <param name="routing">The routes it applies and the fence it raises.</param>
    /// <param name="tenants">Where it puts every namespace's users (the access documents).</param>
    /// <param name="backends">Where it puts every namespace's backend credentials (from the same documents).</param>
    /// <param name="stats">Where backend failures are announced (reported on to the controller).</param>
    /// <param name="time">The clock of leases and renewals.</param>
    /// <param name="logger">The proxy's log.</param>
    /// <param name="store">The coordinator store.</param>
    /// <param name="record">This proxy as registered.</param>
    /// <param name="options">The lease TTL and the time a route change may wait for requests in flight.</param>
    /// <param name="credentials">Where the cluster secret and the tokens read from the store go.</param>
    /// <param name="cluster">Where the live proxies with the cluster face on go.</param>
    public StoreAgent(RoutingState routing, TenantDirectory tenants, BackendPool backends, ProxyStats stats, TimeProvider time, ILogger logger, ICoordinatorStore store, ProxyRecord record, ProxyOptions options, ProxyCredentials credentials, ClusterFace cluster)
    {
        _cluster = cluster;
        _credentials = credentials;
        _routing = routing;
        _tenants = tenants;
        _backends = backends;
        _stats = stats;
        _time = time;
        _logger = logger;
        _store = store;
        _record = record;
        _ttl = options.LeaseTtl;
        _requestTimeout = options.RequestTimeout;
        _http = new HttpClient(new SocketsHttpHandler().Trusting(options.CaCertFile)) { Timeout = TimeSpan.FromSeconds(2) };
    }

    private readonly HttpClient _http;
    private readonly Dictionary<string, long> _lastReport = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Loads the topology, registers, and starts following the store. A failure here is fatal for the proxy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _stats.BackendFailed += ReportBackendFailure;
        long credentialRevision = await LoadCredentialsAsync(cancellationToken).ConfigureAwait(false);
        long revision = await LoadAllAsync(cancellationToken).ConfigureAwait(false);
        await RegisterAsync(cancellationToken).ConfigureAwait(false);
        long proxiesRevision = await ListProxiesAsync(cancellationToken).ConfigureAwait(false);
        _keepAlive = KeepAliveLoopAsync(_stop.Token);
        _proxyWatch = ProxyWatchLoopAsync(proxiesRevision + 1, _stop.Token);
        _watch = WatchLoopAsync(revision + 1, _stop.Token);
        _credentialWatch = CredentialWatchLoopAsync(credentialRevision + 1, _stop.Token);
    }

    /// <summary>Reads the cluster secret and the API tokens; returns the revision the token listing reflects.</summary>
    private async Task<long> LoadCredentialsAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Tokens, cancellationToken).ConfigureAwait(false);
        var records = listing.Where(static r => StorePaths.TryGetChildName(StorePaths.Tokens, r.Key, out _)).Select(static r => KeyValuePair.Create(r.Key, r.Value));
        var secret = await _store.GetAsync(StorePaths.ClusterSecret, cancellationToken).ConfigureAwait(false);
        var read = CredentialSet.From(records, secret?.Value, (key, problem) => _logger.LogWarning("The security record {Key} grants nothing: {Problem}.", key, problem));
        if (read.ClusterSecret is null && _credentials.Current.ClusterSecret is null)
        {
            _logger.LogWarning("The store has no cluster secret yet: the admin API refuses route pushes until a controller has started on {Store}.", _store.Url);
        }

        _credentials.Current = read;
        return listing.Revision;
    }

    /// <summary>Follows <see cref="StorePaths.Security"/>: any change but the audit log's reads the credentials again (they change rarely).</summary>
    private Task CredentialWatchLoopAsync(long fromRevision, CancellationToken cancellationToken) =>
        FollowAsync(StorePaths.Security, fromRevision, "the cluster secret and tokens", async (change, ct) =>
            change.Key == StorePaths.AuditLog ? null : await LoadCredentialsAsync(ct).ConfigureAwait(false), LoadCredentialsAsync, cancellationToken);

    /// <summary>Applies every namespace document in the store and drops namespaces that are gone; returns the listing's revision.</summary>
    private async Task<long> LoadAllAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Namespaces, cancellationToken).ConfigureAwait(false);
        var present = new HashSet<string>(StringComparer.Ordinal);
        var withAccess = new HashSet<string>(StringComparer.Ordinal);
        var withReads = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in listing)
        {
            if (StorePaths.TryGetAccessNamespace(record.Key, out var accessOf))
            {
                withAccess.Add(accessOf);
                ApplyAccess(accessOf, ParseAccess(record.Key, record.Value));
                continue;
            }

            if (StorePaths.TryGetReadsNamespace(record.Key, out var readsOf))
            {
                withReads.Add(readsOf);
                await _routing.SetFreshReplicasAsync(readsOf, Read<FreshReplicas>(record.Key, record.Value, "fresh-replica document")).ConfigureAwait(false);
                continue;
            }

            if (!StorePaths.TryGetChildName(StorePaths.Namespaces, record.Key, out _) || Read<NamespaceConfig>(record.Key, record.Value, "namespace document") is not { } config)
            {
                continue;
            }

            present.Add(config.Name);
            await _routing.ApplyNamespaceAsync(config, _requestTimeout).ConfigureAwait(false);
        }

        foreach (var name in _routing.Current.Namespaces.Keys)
        {
            if (!present.Contains(name))
            {
                await _routing.RemoveNamespaceAsync(name).ConfigureAwait(false);
            }

            if (!withAccess.Contains(name))
            {
                ApplyAccess(name, null);
            }

            if (!withReads.Contains(name))
            {
                await _routing.SetFreshReplicasAsync(name, null).ConfigureAwait(false);
            }
        }

        return listing.Revision;
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        _lease = await _store.GrantLeaseAsync(_ttl, cancellationToken).ConfigureAwait(false);
        await _store.PutAsync(StorePaths.Proxy(_record.Id), JsonSerializer.Serialize(_record, TesseraJson.Options), _lease, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastRenewal, _time.GetTimestamp());
    }

    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        var period = _ttl / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, cancellationToken).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(period);
                bool alive = !_routing.Fenced && await _store.KeepAliveAsync(_lease, timeout.Token).ConfigureAwait(false);
                if (alive)
                {
                    Volatile.Write(ref _lastRenewal, _time.GetTimestamp());
                    await ListProxiesAsync(timeout.Token).ConfigureAwait(false);
                    continue;
                }

                // The lease is gone (expired or we are fenced): fence, then come back with a new one.
                Fence("its lease expired");
                await RegisterAsync(timeout.Token).ConfigureAwait(false);
                await LoadAllAsync(timeout.Token).ConfigureAwait(false);
                Unfence();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (_time.GetElapsedTime(Volatile.Read(ref _lastRenewal)) >= _ttl)
                {
                    Fence($"the store did not answer for {(long)_ttl.TotalMilliseconds} ms ({ex.Message})");
                }
            }
        }
    }

    private Task WatchLoopAsync(long fromRevision, CancellationToken cancellationToken) =>
        FollowAsync(StorePaths.Namespaces, fromRevision, "the store", async (change, ct) =>
        {
            if (StorePaths.TryGetAccessNamespace(change.Key, out var accessOf))
            {
                ApplyAccess(accessOf, change.Kind == StoreEventKind.Delete || change.Value is null ? null : ParseAccess(change.Key, change.Value));
                return null;
            }

            if (StorePaths.TryGetReadsNamespace(change.Key, out var readsOf))
            {
                await _routing.SetFreshReplicasAsync(readsOf, change.Kind == StoreEventKind.Delete || change.Value is null ? null : Read<FreshReplicas>(change.Key, change.Value, "fresh-replica document")).ConfigureAwait(false);
                return null;
            }

            if (!StorePaths.TryGetChildName(StorePaths.Namespaces, change.Key, out var name))
            {
                return null;
            }

            if (change.Kind == StoreEventKind.Delete)
            {
                await _routing.RemoveNamespaceAsync(name).ConfigureAwait(false);
            }
            else if (change.Value is not null && Read<NamespaceConfig>(change.Key, change.Value, "namespace document") is { } config)
            {
                await _routing.ApplyNamespaceAsync(config, _requestTimeout).ConfigureAwait(false);
            }

            return null;
        }, LoadAllAsync, cancellationToken);

    /// <summary>
    /// Follows the keys under <paramref name="prefix"/> from <paramref name="fromRevision"/> until stopped: each change
    /// goes to <paramref name="apply"/> (which may reload and return the revision its listing reflects, to watch on
    /// from there); a reset, or a watch that fails, reloads everything with <paramref name="reload"/> and watches on.
    /// </summary>
    private async Task FollowAsync(string prefix, long fromRevision, string what, Func<StoreEvent, CancellationToken, Task<long?>> apply, Func<CancellationToken, Task<long>> reload, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _store.WatchAsync(prefix, fromRevision, cancellationToken).ConfigureAwait(false))
                {
                    fromRevision = change.Revision + 1;
                    if (change.Kind == StoreEventKind.Reset)
                    {
                        fromRevision = await reload(cancellationToken).ConfigureAwait(false) + 1;
                    }
                    else if (await apply(change, cancellationToken).ConfigureAwait(false) is { } listed)
                    {
                        fromRevision = Math.Max(fromRevision, listed + 1);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning("Watching {What} failed ({Reason}); reloading and watching again", what, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
                    fromRevision = await reload(cancellationToken).ConfigureAwait(false) + 1;
                }
                catch (Exception retry) when (retry is not OperationCanceledException)
                {
                    _logger.LogWarning("Reloading {What} failed ({Reason}); retrying", what, retry.Message);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Tells the leader controller that a backend failed (architecture §5: a passive signal that may bring its probe
    /// forward, never a verdict). At most once a second per server; failures to report are only logged.
    /// </summary>
    private void ReportBackendFailure(string server, string problem)
    {
        long now = _time.GetTimestamp();
        lock (_lastReport)
        {
            if (_lastReport.TryGetValue(server, out long last) && _time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(1))
            {
                return;
            }

            _lastReport[server] = now;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var leader = await _store.GetAsync(StorePaths.ControllerLeader, _stop.Token).ConfigureAwait(false);
                if (leader is null || JsonSerializer.Deserialize<ControllerLeader>(leader.Value, TesseraJson.Options) is not { } info)
                {
                    return;
                }

                var body = JsonSerializer.Serialize(new { server, reporter = _record.Id, problem }, TesseraJson.Options);
                using var request = new HttpRequestMessage(HttpMethod.Post, ApiUrl.Combine(info.Url, ControllerRoutes.HealthReports))
                {
                    Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
                };
                if (_credentials.Current.ClusterSecret is { } secret)
                {
                    // The controller accepts the cluster secret on this one route.
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
                }

                using var response = await _http.SendAsync(request, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or CoordinatorStoreException or UriFormatException)
            {
                _logger.LogDebug("Could not report the failure of {Server} to the controller: {Reason}", server, ex.Message);
            }
        });
    }

    private void Fence(string reason)
    {
        if (!_routing.Fenced)
        {
            _logger.LogWarning("Proxy {Id} fenced: {Reason}; clients get -TRYAGAIN until it re-registers", _record.Id, reason);
            _routing.Fenced = true;
        }
    }

    private void Unfence()
    {
        if (_routing.Fenced)
        {
            _logger.LogInformation("Proxy {Id} registered again and reloaded its routes; serving", _record.Id);
            _routing.Fenced = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stats.BackendFailed -= ReportBackendFailure;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_keepAlive, _watch, _credentialWatch, _proxyWatch).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            // Stopping anyway.
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _store.RevokeLeaseAsync(_lease, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The lease expires on its own.
            _logger.LogDebug("Revoking the lease failed: {Reason}", ex.Message);
        }

        _http.Dispose();

        _stop.Dispose();
    }
}
