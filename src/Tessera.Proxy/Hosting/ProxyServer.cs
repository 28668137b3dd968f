using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tessera.Proxy.Sessions;
using Tessera.Model.Topology;
using Tessera.Proxy.Topology;

namespace Tessera.Proxy.Hosting;

/// <summary>A running proxy: the Kestrel listener, client sessions and backend connections.</summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ProxyContext _context;

    private ProxyServer(WebApplication app, ProxyContext context, IPEndPoint endpoint)
    {
        _app = app;
        _context = context;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint clients connect to (the real port when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Epoch of the topology being served.</summary>
    public long Epoch => _context.Routing.Current.Epoch;

    /// <summary>Starts listening and serving <paramref name="topology"/>.</summary>
    public static async Task<ProxyServer> StartAsync(ProxyOptions options, TopologyConfig topology, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topology);
        loggerFactory ??= NullLoggerFactory.Instance;
        var context = new ProxyContext(options, TimeProvider.System, loggerFactory);
        try
        {
            context.Routing.Apply(topology);
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(context);
            builder.WebHost.UseSockets(sockets =>
            {
                sockets.NoDelay = true;

                // Run the session's read loop on the socket's I/O thread instead of hopping to the
                // thread pool for every read: one fewer context switch per request (measured with
                // redis-benchmark, see docs/benchmarks.md). Safe because sessions never block.
                sockets.UnsafePreferInlineScheduling = true;

                // Replies may queue up to 1 MB per client before a flush has to wait for the client to read.
                sockets.MaxWriteBufferSize = 1024 * 1024;
            });
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(options.Listen, listen => listen.UseConnectionHandler<ClientConnectionHandler>());
            });
            var app = builder.Build();
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw new IOException($"cannot listen on {options.Listen}: {ex.Message} (is another process using the port? pick another with --listen/--port)", ex);
            }

            var endpoint = BoundEndpoint(app, options.Listen);
            context.Endpoint = endpoint;
            return new ProxyServer(app, context, endpoint);
        }
        catch
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Swaps in a new topology; requests already routed finish on the old one.</summary>
    public void ApplyTopology(TopologyConfig topology) => _context.Routing.Apply(topology);

    /// <summary>Stops listening, closes client and backend connections.</summary>
    public async ValueTask DisposeAsync()
    {
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

    private static IPEndPoint BoundEndpoint(WebApplication app, IPEndPoint requested)
    {
        if (requested.Port != 0)
        {
            return requested;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (var address in addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                return new IPEndPoint(requested.Address, uri.Port);
            }
        }

        throw new InvalidOperationException("Kestrel did not report the port it bound");
    }
}
