using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Tessera.Metrics;
using Tessera.Proxy.Stats;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;
using Tessera.Proxy.Coordination;
using Tessera.Proxy.Sessions;
using Tessera.Store;

namespace Tessera.Proxy.Hosting;

/// <summary>A running proxy: the Kestrel listeners (clients and admin), client sessions, backend connections, and its store agent.</summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ProxyContext _context;
    private StoreAgent? _agent;
    private ICoordinatorStore? _store;
    private int _disposed;

    private ProxyServer(WebApplication app, ProxyContext context, IPEndPoint endpoint, Uri? adminUrl, IPEndPoint? tlsEndpoint)
    {
        _app = app;
        _context = context;
        Endpoint = endpoint;
        AdminUrl = adminUrl;
        TlsEndpoint = tlsEndpoint;
    }

    /// <summary>The endpoint TLS clients connect to: <see cref="Endpoint"/> when it speaks TLS, the second listener with <see cref="ProxyOptions.TlsListen"/>, null without TLS.</summary>
    public IPEndPoint? TlsEndpoint { get; }

    /// <summary>The client listener's certificates (null without TLS).</summary>
    public Tessera.Model.Security.ServerCertificates? Certificates => _context.Certificates;

    /// <summary>The endpoint clients connect to (the real port when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Base URL of the admin API, when one was asked for.</summary>
    public Uri? AdminUrl { get; }

    /// <summary>This proxy's id (as registered in the store).</summary>
    public string Id => _context.Id;

    /// <summary>Highest namespace epoch being served.</summary>
    public long Epoch => _context.Routing.Current.Epoch;

    /// <summary>True while the proxy refuses clients because it lost its registration.</summary>
    public bool Fenced => _context.Routing.Fenced;

    /// <summary>Starts listening and serving <paramref name="topology"/> (a topology file; no store).</summary>
    public static async Task<ProxyServer> StartAsync(ProxyOptions options, TopologyConfig topology, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var server = await ListenAsync(options, new ProxyCredentials(fromStore: false), loggerFactory, openNamespaces: true, cancellationToken).ConfigureAwait(false);
        server._context.Logger.LogInformation("Serving a topology file: its namespaces are open (no passwords); tenants with users need a coordinator store");
        server._context.Routing.Apply(topology);
        return server;
    }

    /// <summary>
    /// Starts a proxy that takes its routes from the coordinator store at <paramref name="storeUrl"/>
    /// (file:///dir or etcd://host:port,...), registers itself there with a lease and follows changes.
    /// </summary>
    public static async Task<ProxyServer> StartWithStoreAsync(ProxyOptions options, string storeUrl, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var store = StoreFactory.Open(storeUrl);
        ProxyServer? server = null;
        try
        {
            var credentials = new ProxyCredentials(fromStore: true);
            server = await ListenAsync(options, credentials, loggerFactory, openNamespaces: false, cancellationToken).ConfigureAwait(false);
            var context = server._context;
            var record = new ProxyRecord
            {
                Id = context.Id,
                Address = string.Create(CultureInfo.InvariantCulture, $"{server.Endpoint.Address}:{server.Endpoint.Port}"),
                AdminUrl = server.AdminUrl?.ToString().TrimEnd('/') ?? "",
                Zone = options.Zone,
                Announce = options.Announce,
                ClusterFace = options.ClusterFace,
                TlsPort = server.TlsEndpoint?.Port,
                TlsOnly = IsTlsOnly(server),
                ProcessId = Environment.ProcessId,
                StartedAt = DateTimeOffset.UtcNow,
            };
            server._store = store;
            server._agent = new StoreAgent(context.Routing, context.Tenants, context.Backends, context.Stats, context.Time, context.Logger, store, record, options, credentials, context.Cluster);
            await server._agent.StartAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static async Task<ProxyServer> ListenAsync(ProxyOptions options, ProxyCredentials credentials, ILoggerFactory? loggerFactory, bool openNamespaces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var context = new ProxyContext(options, TimeProvider.System, loggerFactory, openNamespaces);
        try
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(context);
            if (options.Admin is not null && context.Metrics is not null)
            {
                MetricsExposition.AddTo(builder.Services, context.Metrics.Name);
            }

            // The proxy is a library: the process that hosts it decides what Ctrl-C and SIGTERM do.
            builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
            builder.WebHost.UseSockets(sockets =>
            {
                sockets.NoDelay = true;

                // Run the session's read loop on the socket's I/O thread instead of hopping to the
                // thread pool for every read: one fewer context switch per request. Safe because
                // sessions never block.
                sockets.UnsafePreferInlineScheduling = true;

                // Replies may queue up to 1 MB per client before a flush has to wait for the client to read.
                sockets.MaxWriteBufferSize = 1024 * 1024;
            });
            // Kestrel writes the port it really bound back into these (port 0 = any free port).
            ListenOptions? clientListen = null, adminListen = null, tlsListen = null;
            var adminCertificates = options.AdminTls is { } adminTls
                ? new Tessera.Model.Security.ServerCertificates(adminTls with { ClientCaFile = null }, message => context.Logger.LogWarning("{Message}", message))
                : null;
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(options.Listen, listen =>
                {
                    if (options.TlsListen is null)
                    {
                        ClientTls.Use(listen, context);
                        tlsListen = context.Certificates is null ? null : listen;
                    }

                    listen.UseConnectionHandler<ClientConnectionHandler>();
                    clientListen = listen;
                });
                if (options.TlsListen is { } second && context.Certificates is not null)
                {
                    kestrel.Listen(second, listen =>
                    {
                        ClientTls.Use(listen, context);
                        listen.UseConnectionHandler<ClientConnectionHandler>();
                        tlsListen = listen;
                    });
                }

                if (options.Admin is { } admin)
                {
                    kestrel.Listen(admin, listen =>
                    {
                        listen.Protocols = HttpProtocols.Http1;
                        if (adminCertificates is not null)
                        {
                            listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(adminCertificates.Options()) });
                        }

                        adminListen = listen;
                    });
                }
            });
            var app = builder.Build();
            if (options.Admin is not null)
            {
                AdminApi.Map(app, context, credentials);
            }

            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw new IOException($"cannot listen on {options.Listen}{(options.Admin is null ? "" : " / " + options.Admin)}: {ex.Message} (is another process using the port? pick another with --listen/--admin/--port)", ex);
            }

            var endpoint = clientListen?.IPEndPoint ?? throw new InvalidOperationException("Kestrel did not report the client endpoint");
            Uri? adminUrl = adminListen?.IPEndPoint is { } adminBound
                ? new Uri(string.Create(CultureInfo.InvariantCulture, $"{(adminCertificates is null ? "http" : "https")}://{adminBound.Address}:{adminBound.Port}/"))
                : null;
            context.Endpoint = endpoint;
            context.Id = string.Create(CultureInfo.InvariantCulture, $"{endpoint.Address}:{endpoint.Port}-{Guid.NewGuid().ToString("N")[..6]}");

            // Until a store lists other proxies (and always without one) the cluster face lists this proxy alone.
            var server = new ProxyServer(app, context, endpoint, adminUrl, tlsListen?.IPEndPoint);
            context.Cluster.SetSelf(context.Id, options.Announce ?? string.Create(CultureInfo.InvariantCulture, $"{endpoint.Address}:{endpoint.Port}"), server.TlsEndpoint?.Port, IsTlsOnly(server));
            return server;
        }
        catch
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// True when the client listener itself speaks TLS (no plain one). The cluster face gives TLS connections the TLS
    /// listener's port (<see cref="TlsEndpoint"/>); with --announce it is announced on the announced host as bound, so
    /// a NAT that maps ports differently needs the TLS port mapped as is (there is no separate TLS announce address).
    /// </summary>
    private static bool IsTlsOnly(ProxyServer server) => server.TlsEndpoint is { } tls && tls.Port == server.Endpoint.Port;

    /// <summary>Swaps in a new topology (topology-file mode).</summary>
    public void ApplyTopology(TopologyConfig topology) => _context.Routing.Apply(topology);

    /// <summary>
    /// Stops in this order: leaves the cluster face's table and deregisters (revokes its lease, so the controller and
    /// the other proxies drop it), keeps serving for <see cref="ProxyOptions.ClusterLeaveGrace"/> when its cluster
    /// face is on and other proxies follow the store (so what they answer no longer lists it by the time its clients
    /// reconnect and ask them), then stops listening, drains its client sessions, and closes backend connections.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _context.Cluster.Leave();
        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }

        if (_store is not null)
        {
            await _store.DisposeAsync().ConfigureAwait(false);
            if (_context.Cluster.Enabled && _context.Options.ClusterLeaveGrace > TimeSpan.Zero)
            {
                await Task.Delay(_context.Options.ClusterLeaveGrace).ConfigureAwait(false);
            }
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Connections that did not close in time are aborted by DisposeAsync below.
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        await _context.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A host lifetime that installs no signal handlers and prints nothing: the embedding process owns both.</summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
