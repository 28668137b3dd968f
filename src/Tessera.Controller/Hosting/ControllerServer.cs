using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tessera.Controller.Alerts;
using Tessera.Controller.Api;
using Tessera.Controller.Election;
using Tessera.Controller.Failover;
using Tessera.Controller.Insight;
using Tessera.Controller.Metrics;
using Tessera.Controller.Migration;
using Tessera.Controller.Operations;
using Tessera.Controller.Proxies;
using Tessera.Controller.Pushes;
using Tessera.Controller.Rebalance;
using Tessera.Controller.Security;
using Tessera.Controller.Servers;
using Tessera.Controller.Status;
using Tessera.Controller.Topology;
using Tessera.Metrics;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Hosting;

/// <summary>
/// A running controller: its HTTP API on Kestrel and its campaign for the leader lock. Several may run on one
/// store; the one holding the lock accepts changes, the others answer reads and refuse changes with 503 naming
/// the leader, and take over when it goes.
/// </summary>
public sealed class ControllerServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ControllerContext _context;
    private readonly ICoordinatorStore _store;
    private readonly ProxyAdminClient _proxyClient;
    private readonly FailoverService _failover;
    private readonly ControllerMetrics _metrics;
    private readonly AlertWebhooks _webhooks;
    private int _disposed;

    private ControllerServer(WebApplication app, ControllerContext context, ICoordinatorStore store, ProxyAdminClient proxyClient, FailoverService failover, ControllerMetrics metrics, AlertWebhooks webhooks, Uri url)
    {
        _webhooks = webhooks;
        _metrics = metrics;
        _app = app;
        _context = context;
        _store = store;
        _proxyClient = proxyClient;
        _failover = failover;
        Url = url;
    }

    /// <summary>Base URL of the API (with the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>This controller's id in the leader lock.</summary>
    public string Id => _context.Options.EffectiveId;

    /// <summary>The store URL in use.</summary>
    public string StoreUrl => _store.Url;

    /// <summary>True while this controller leads.</summary>
    public bool IsLeader => _context.Election.IsLeader;

    /// <summary>The leader as last seen in the store, or null.</summary>
    public ControllerLeader? KnownLeader => _context.Election.KnownLeader;

    /// <summary>Opens the store, starts the API and campaigns for leadership in the background.</summary>
    /// <exception cref="ArgumentException">The options are invalid (bad store URL, TTL out of range).</exception>
    /// <exception cref="IOException">The API could not listen (port in use).</exception>
    public static async Task<ControllerServer> StartAsync(ControllerOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var time = timeProvider ?? TimeProvider.System;
        var logger = loggerFactory.CreateLogger("Tessera.Controller");
        var store = StoreFactory.Open(options.StoreUrl, time);
        var credentials = new StoredCredentials(store, logger);
        var proxyClient = new ProxyAdminClient(() => credentials.ClusterSecret, options.CaCertFile);
        var certificates = options.Tls is { } tls ? new Tessera.Model.Security.ServerCertificates(tls, message => logger.LogWarning("{Message}", message)) : null;
        WebApplication? app = null;
        FailoverService? failover = null;
        AlertWebhooks? webhooks = null;
        var metrics = new ControllerMetrics();
        try
        {
            var tokens = new TokenRepository(store, time);
            var self = new ControllerLeader { Id = options.EffectiveId, Url = "", ProcessId = Environment.ProcessId };
            var namespaces = new NamespaceRepository(store);
            var directory = new ProxyDirectory(store, logger);
            var pusher = new RoutePusher(directory, proxyClient, options, metrics, time, logger);

            // The election learns this controller's URL once Kestrel has bound; it starts campaigning only then.
            var election = new LeaderElection(store, self, options.LeaseTtl, options.EffectiveCampaignInterval, time, logger);
            metrics.ObserveLeadership(() => election.IsLeader);
            var slotSwitch = new SlotSwitch(namespaces, pusher);
            var logins = new ServerLogins(namespaces);
            var operations = new TopologyOperations(namespaces, slotSwitch, pusher, election, logins, options, logger);
            failover = new FailoverService(store, namespaces, slotSwitch, election, operations.Standby, logins, options, metrics, time, logger);
            var context = new ControllerContext(options, store, election, operations, new StatusService(namespaces, directory, proxyClient, logins, options), logger);
            context.Migrations = MigrationManager.Create(store, namespaces, slotSwitch, operations, election, metrics, time, logger);
            metrics.ObserveMigrations(context.Migrations.RunningSamples);
            context.Rebalance = new RebalanceService(context.Migrations, context.Migrations.Services);
            context.Tokens = tokens;
            context.Credentials = credentials;
            context.Audit = new AuditLog(store, options.EffectiveId, time, logger);
            context.AlertRepository = new AlertRepository(store);
            webhooks = new AlertWebhooks(logger);
            context.AlertEvaluator = new AlertEvaluator(context.AlertRepository, failover.Events, webhooks, metrics, logger);
            context.Insight = new InsightSampler(namespaces, logins, context.Status, directory, proxyClient, election, metrics, context.Migrations.RunningSamples, options, time, logger)
            {
                Evaluate = context.AlertEvaluator.EvaluateAsync,
                LeadershipLost = context.AlertEvaluator.LeadershipLost,
            };

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(failover);
            MetricsExposition.AddTo(builder.Services, metrics.Name);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(options.Listen, listen =>
                {
                    if (certificates is not null)
                    {
                        // HTTPS with the certificate re-read when its files change (see ServerCertificates).
                        listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(certificates.Options()) });
                    }
                });
            });
            app = builder.Build();
            ControllerApi.Map(app, context);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new IOException($"the controller cannot listen on {options.Listen}: {e.Message.TrimEnd('.')} (is another controller running there? pick another address with --listen)", e);
            }

            // Credentials once the API listens (a controller that cannot listen writes nothing); until they are read
            // every request is refused, as no token is known yet.
            await credentials.StartAsync(cancellationToken).ConfigureAwait(false);
            if (await AdminTokenBootstrap.RunAsync(tokens, options.AdminTokenFile, logger, cancellationToken).ConfigureAwait(false))
            {
                await credentials.ReloadAsync(cancellationToken).ConfigureAwait(false);
            }

            var url = AdvertisedUrl(app, options.Listen, certificates is null ? "http" : "https");
            context.Url = url.ToString().TrimEnd('/');
            webhooks.ControllerUrl = context.Url;
            var server = new ControllerServer(app, context, store, proxyClient, failover, metrics, webhooks, url);
            election.Self = self with { Url = context.Url };
            election.Elected = term => server.RecoverAfterElectionAsync(term);
            election.Start();
            failover.Start(context.Url);
            context.Insight.Start();
            logger.LogInformation("Controller {Id} serves its API on {Url} (store {Store}); campaigning for leadership.", options.EffectiveId, context.Url, store.Url);
            return server;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            if (failover is not null)
            {
                await failover.DisposeAsync().ConfigureAwait(false);
            }

            if (webhooks is not null)
            {
                await webhooks.DisposeAsync().ConfigureAwait(false);
            }

            proxyClient.Dispose();
            metrics.Dispose();
            await credentials.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The election, for tests that watch a term end.</summary>
    internal LeaderElection Election => _context.Election;

    /// <summary>Every route the API maps (with its methods in metadata), for tests that check each one's access rule.</summary>
    internal IReadOnlyList<RouteEndpoint> Routes =>
        [.. ((IEndpointRouteBuilder)_app).DataSources.SelectMany(static source => source.Endpoints).OfType<RouteEndpoint>()];

    /// <summary>Failure detection and failover, for tests that stop a failover half-way.</summary>
    internal FailoverService Failover => _failover;

    /// <summary>Waits until this controller leads; false when <paramref name="timeout"/> passes first.</summary>
    public Task<bool> WaitForLeadershipAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _context.Election.WaitForLeadershipAsync(timeout, cancellationToken);

    /// <summary>
    /// Stops as a crash would, for takeover tests: the API stops answering and the lease is left to expire
    /// instead of being revoked.
    /// </summary>
    internal async Task CrashAsync()
    {
        _failover.Abandon();
        await _context.Election.AbandonAsync().ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the API and steps down (revoking the lease, so a standby takes over at once).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Requests that did not finish in time are aborted by DisposeAsync below.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        await _context.Insight.DisposeAsync().ConfigureAwait(false);
        await _webhooks.DisposeAsync().ConfigureAwait(false);
        await _failover.DisposeAsync().ConfigureAwait(false);
        await _context.Election.DisposeAsync().ConfigureAwait(false);
        await _context.Migrations.DisposeAsync().ConfigureAwait(false);
        _context.Operations.Dispose();
        _proxyClient.Dispose();
        _metrics.Dispose();
        await _context.Credentials.DisposeAsync().ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RecoverAfterElectionAsync(CancellationToken term)
    {
        try
        {
            await _context.Operations.RecoverAsync(term).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationRefusedException or CoordinatorStoreException or OperationCanceledException)
        {
            _context.Logger.LogWarning("Checking for slots left locked by a previous leader failed: {Problem}", e.Message);
        }

        await _context.Migrations.ResumeAfterElectionAsync(term).ConfigureAwait(false);
    }

    private static Uri AdvertisedUrl(WebApplication app, IPEndPoint requested, string scheme)
    {
        var port = requested.Port;
        if (port == 0)
        {
            foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            {
                if (Uri.TryCreate(address, UriKind.Absolute, out var bound))
                {
                    port = bound.Port;
                    break;
                }
            }
        }

        // A wildcard address is no place to send requests to: advertise the host name instead.
        var host = requested.Address.Equals(IPAddress.Any) || requested.Address.Equals(IPAddress.IPv6Any)
            ? Dns.GetHostName()
            : requested.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{requested.Address}]" : requested.Address.ToString();
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}:{port}/"));
    }
}
