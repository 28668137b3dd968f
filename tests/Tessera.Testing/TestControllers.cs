using System.Net;
using Tessera.Controller;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;

namespace Tessera.Testing;

/// <summary>
/// Controllers started in-process on a free loopback port, with short timeouts that keep tests quick. The first
/// admin token goes to <see cref="TestTokens.FileFor"/> the store, and <see cref="Client"/> sends it.
/// </summary>
public static class TestControllers
{
    public static async Task<ControllerServer> StartAsync(string storeUrl, string id, TimeSpan? leaseTtl = null, TimeSpan? pushDeadline = null, TimeSpan? insightInterval = null)
    {
        var controller = await ControllerServer.StartAsync(new ControllerOptions
        {
            AdminTokenFile = TestTokens.FileFor(storeUrl),
            StoreUrl = storeUrl,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Id = id,
            LeaseTtl = leaseTtl ?? TimeSpan.FromSeconds(5),
            PushDeadline = pushDeadline ?? TimeSpan.FromSeconds(3),
            PushCallTimeout = TimeSpan.FromSeconds(1),
            ServerTimeout = TimeSpan.FromSeconds(2),
            ProbeTimeout = TimeSpan.FromMilliseconds(500),
            InsightInterval = insightInterval ?? TimeSpan.FromSeconds(5),
        });
        TestTokens.Register(controller.Url, storeUrl);
        return controller;
    }

    /// <summary>A controller that leads (waits, bounded, for its election).</summary>
    public static async Task<ControllerServer> StartLeaderAsync(string storeUrl, string id = "ctl-1", TimeSpan? leaseTtl = null, TimeSpan? pushDeadline = null, TimeSpan? insightInterval = null)
    {
        var controller = await StartAsync(storeUrl, id, leaseTtl, pushDeadline, insightInterval);
        if (!await controller.WaitForLeadershipAsync(TimeSpan.FromSeconds(10)))
        {
            await controller.DisposeAsync();
            throw new Xunit.Sdk.XunitException($"controller {id} did not become leader on an empty store within 10 s");
        }

        return controller;
    }

    /// <summary>A client of <paramref name="controller"/> with its store's admin token (or <paramref name="token"/>).</summary>
    public static ControllerClient Client(this ControllerServer controller, string? token = null) =>
        new(controller.Url, TimeSpan.FromSeconds(30)) { Token = token ?? TestTokens.ForController(controller.Url.ToString()) };
}
