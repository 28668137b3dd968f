using Microsoft.Extensions.Logging;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Cluster;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Stats;
using Tessera.Proxy.Tenants;
using Tessera.Resp.Commands;

namespace Tessera.Proxy.Sessions;

/// <summary>Everything client sessions share: settings, routes, backends, command policies, counters, the live sessions.</summary>
internal sealed class ProxyContext : IAsyncDisposable
{
    private long _nextClientId;

    /// <param name="openNamespaces">True when the proxy serves a topology file: it has no users, so every namespace is open.</param>
    public ProxyContext(ProxyOptions options, TimeProvider time, ILoggerFactory loggerFactory, bool openNamespaces)
    {
        Options = options;
        Time = time;
        Stats = new ProxyStats();
        Backends = new BackendPool(options, time, Stats);
        Dedicated = new DedicatedConnections(options.MaxDedicatedConnections);
        Routing = new RoutingState(Backends, options.Zone);
        Policies = new CommandPolicies(CommandTable.Default);
        Logger = loggerFactory.CreateLogger("Tessera.Proxy");
        Tenants = new TenantDirectory(openNamespaces, time);
        Cluster = new ClusterFace(options.ClusterFace, options.Zone);
        AuthThrottle = new AuthThrottle(time);
        Routing.OnChanged(() => Tenants.ApplyRoutes(Routing.Current));
        Routing.OnChanged(WakeHeldSessions);
        Tenants.AccessChanged += RefreshUsers;
        Metrics = options.Metrics
            ? new ProxyMetrics(
                Stats,
                () => Tenants.All.Select(static t => new NamespaceSample(t.Name, t.Connections, t.QuotaWaits, t.AuthFailures, t.BytesReceived, t.BytesSent)),
                () => Backends.Snapshot().Select(static s => new ServerSample(s.MetricTags, s.IsAvailable ? 1 : 0, s.InFlight, s.Failures)))
            : null;
        Stats.Metrics = Metrics;
        if (options.Tls is { } tls)
        {
            var logger = Logger;
            Certificates = new Tessera.Model.Security.ServerCertificates(tls, message => logger.LogWarning("{Message}", message));
        }
    }

    /// <summary>The proxy's metrics instruments (served at the admin port's /metrics); null with <see cref="ProxyOptions.Metrics"/> off.</summary>
    public ProxyMetrics? Metrics { get; }

    /// <summary>The client listener's TLS certificates, re-read when their files change; null without TLS.</summary>
    public Tessera.Model.Security.ServerCertificates? Certificates { get; }

    /// <summary>Every namespace's users and live settings.</summary>
    public TenantDirectory Tenants { get; }

    /// <summary>The Redis Cluster face: on or off, and the table of live proxies it answers.</summary>
    public ClusterFace Cluster { get; }

    /// <summary>Slows repeated AUTH failures per client address.</summary>
    public AuthThrottle AuthThrottle { get; }

    /// <summary>A namespace's users changed: its sessions take their new permissions, or close if their user is gone.</summary>
    private void RefreshUsers(string ns)
    {
        foreach (var session in Clients.Values)
        {
            session.RefreshUser(ns);
        }
    }

    /// <summary>Sessions holding requests for locked slots; woken whenever routes change.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<ClientSession, byte> HeldSessions { get; } = new();

    /// <summary>Live client sessions by the id CLIENT ID reports: where CLIENT TRACKING ... REDIRECT &lt;id&gt; finds its target.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<long, ClientSession> Clients { get; } = new();

    private void WakeHeldSessions()
    {
        foreach (var session in HeldSessions.Keys)
        {
            session.Wake();
        }
    }

    public ProxyOptions Options { get; }

    /// <summary>This proxy's id in the store and in the controller's views: its client address plus a random suffix.</summary>
    public string Id { get; set; } = "proxy-" + Guid.NewGuid().ToString("N")[..8];

    public TimeProvider Time { get; }

    public ProxyStats Stats { get; }

    public BackendPool Backends { get; }

    public RoutingState Routing { get; }

    public CommandPolicies Policies { get; }

    public ILogger Logger { get; }

    /// <summary>The endpoint clients connect to, once bound.</summary>
    public System.Net.IPEndPoint? Endpoint { get; set; }

    public long NextClientId() => Interlocked.Increment(ref _nextClientId);

    /// <summary>The connections sessions hold for themselves, counted against <see cref="ProxyOptions.MaxDedicatedConnections"/>.</summary>
    public DedicatedConnections Dedicated { get; }

    public ValueTask DisposeAsync()
    {
        Metrics?.Dispose();
        return Backends.DisposeAsync();
    }
}
