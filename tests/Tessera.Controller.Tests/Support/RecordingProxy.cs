using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Store;

namespace Tessera.Controller.Tests.Support;

/// <summary>
/// A stand-in for a proxy's admin endpoint, for unit tests of the pushes (no Redis involved): a small HTTP
/// listener that records every route push, answers as a proxy would (or refuses, when told to), and a
/// registration in the store with a lease that it renews until told to stop, like a proxy that died.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ICoordinatorStore _store;
    private readonly ConcurrentQueue<RoutePush> _pushes = new();
    private readonly ConcurrentDictionary<string, long> _epochs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopRenewing = new();
    private Task _renewal = Task.CompletedTask;

    private RecordingProxy(string id, WebApplication app, ICoordinatorStore store)
    {
        Id = id;
        _app = app;
        _store = store;
    }

    public string Id { get; }

    public long Lease { get; private set; }

    /// <summary>When false, pushes are answered 503 (a proxy that is registered but not applying routes).</summary>
    public bool Acks { get; set; } = true;

    public IReadOnlyList<RoutePush> Pushes => [.. _pushes];

    /// <summary>Why renewing stopped by itself, for failure messages.</summary>
    public string? RenewalProblem { get; private set; }

    public static async Task<RecordingProxy> StartAsync(string storeUrl, string id, TimeSpan leaseTtl)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var store = StoreFactory.Open(storeUrl);
        var proxy = new RecordingProxy(id, app, store);
        app.MapPost(ProxyAdminRoutes.Routes, async (HttpRequest request) =>
        {
            var push = await JsonSerializer.DeserializeAsync<RoutePush>(request.Body, TesseraJson.Options);
            proxy._pushes.Enqueue(push!);
            if (!proxy.Acks)
            {
                return Results.Json(new ApiError("not applying routes (test)"), statusCode: 503);
            }

            if (push!.Removed)
            {
                proxy._epochs.TryRemove(push.Namespace.Name, out _);
            }
            else
            {
                proxy._epochs.AddOrUpdate(push.Namespace.Name, push.Namespace.Epoch, (_, old) => Math.Max(old, push.Namespace.Epoch));
            }

            return Results.Json(proxy.State(), TesseraJson.Options);
        });
        app.MapGet(ProxyAdminRoutes.Topology, () => Results.Json(proxy.State(), TesseraJson.Options));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

        proxy.Lease = await store.GrantLeaseAsync(leaseTtl);
        var record = new ProxyRecord
        {
            Id = id,
            Address = "127.0.0.1:1",
            AdminUrl = $"http://127.0.0.1:{port}",
            ProcessId = Environment.ProcessId,
            StartedAt = DateTimeOffset.UtcNow,
        };
        await store.PutAsync(StorePaths.Proxy(id), JsonSerializer.Serialize(record, TesseraJson.Options), proxy.Lease);
        proxy._renewal = proxy.RenewAsync(leaseTtl / 3, proxy._stopRenewing.Token);
        return proxy;
    }

    /// <summary>Stops renewing the lease: the registration vanishes after the TTL, as for a proxy that died.</summary>
    public Task StopRenewingAsync() => _stopRenewing.CancelAsync();

    public async ValueTask DisposeAsync()
    {
        await _stopRenewing.CancelAsync();
        await _renewal;
        try
        {
            await _store.RevokeLeaseAsync(Lease);
        }
        catch (CoordinatorStoreException)
        {
            // The store may be gone already (etcd stopped first); the lease expires anyway.
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        _stopRenewing.Dispose();
    }

    private ProxyRoutesState State() => new()
    {
        Id = Id,
        Namespaces = [.. _epochs.OrderBy(static e => e.Key, StringComparer.Ordinal).Select(static e => new ProxyNamespaceState(e.Key, e.Value, "test"))],
    };

    private async Task RenewAsync(TimeSpan every, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, stop);
                if (!await _store.KeepAliveAsync(Lease, stop))
                {
                    RenewalProblem = $"lease {Lease} was gone at {DateTimeOffset.UtcNow:HH:mm:ss.fff}";
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Told to stop renewing.
        }
        catch (CoordinatorStoreException e)
        {
            RenewalProblem = e.ToString();
        }
    }
}
