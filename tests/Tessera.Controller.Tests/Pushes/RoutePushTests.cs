using System.Diagnostics;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Api;

namespace Tessera.Controller.Tests.Pushes;

/// <summary>
/// Route pushes through the controller API to stand-in proxy admin endpoints (no Redis involved): every
/// registered proxy gets every change, a proxy whose lease expires is waited out, one that stays registered
/// without acking is reported.
/// </summary>
public sealed class RoutePushTests
{
    /// <summary>Long enough that a busy machine never lets a live stand-in's lease lapse.</summary>
    private static readonly TimeSpan ProxyLease = TimeSpan.FromSeconds(5);

    /// <summary>For the proxy that dies: short, so the test is quick.</summary>
    private static readonly TimeSpan DyingLease = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Every_change_reaches_every_registered_proxy_in_epoch_order()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        await using var a = await RecordingProxy.StartAsync(dir.StoreUrl, "proxy-a", ProxyLease);
        await using var b = await RecordingProxy.StartAsync(dir.StoreUrl, "proxy-b", ProxyLease);
        using var client = controller.Client();

        var created = await client.CreateNamespaceAsync("default");
        var grouped = await client.CreateGroupAsync("default", 1);

        foreach (var change in new[] { created, grouped })
        {
            var push = Assert.Single(change.Pushes);
            Assert.Equal(change.Namespace.Epoch, push.Epoch);
            Assert.Equal(["proxy-a", "proxy-b"], push.Proxies.Select(p => p.Id).Order());
            Assert.All(push.Proxies, p => Assert.Equal(PushOutcome.Acked, p.Outcome));
        }

        foreach (var proxy in new[] { a, b })
        {
            Assert.Equal([created.Namespace.Epoch, grouped.Namespace.Epoch], proxy.Pushes.Select(p => p.Namespace.Epoch));
            Assert.Equal(grouped.Namespace, proxy.Pushes[^1].Namespace with { Groups = grouped.Namespace.Groups, Slots = grouped.Namespace.Slots, AllowedIps = grouped.Namespace.AllowedIps, ClientCertificates = grouped.Namespace.ClientCertificates });
            Assert.Equal(1, proxy.Pushes[^1].Namespace.Groups.Single().Id);
        }

        var removed = await client.RemoveNamespaceAsync("default");
        Assert.All(removed.Pushes.Single().Proxies, p => Assert.Equal(PushOutcome.Acked, p.Outcome));
        Assert.True(a.Pushes[^1].Removed);
    }

    [Fact]
    public async Task A_proxy_that_dies_is_waited_out_until_its_lease_expires()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl, pushDeadline: TimeSpan.FromSeconds(20));
        await using var alive = await RecordingProxy.StartAsync(dir.StoreUrl, "alive", ProxyLease);
        await using var dying = await RecordingProxy.StartAsync(dir.StoreUrl, "dying", DyingLease);
        using var client = controller.Client();

        // It is registered when the change starts (it was tried), then dies: no more renewals, no acks.
        dying.Acks = false;
        var changing = client.CreateNamespaceAsync("default");
        await Eventually.TrueAsync(() => dying.Pushes.Count > 0, TimeSpan.FromSeconds(5), $"the first push to the dying proxy (renewal: {dying.RenewalProblem})");
        await dying.StopRenewingAsync();
        var clock = Stopwatch.StartNew();
        var change = await changing;
        clock.Stop();

        var outcomes = change.Pushes.Single().Proxies.ToDictionary(p => p.Id, p => p.Outcome);
        Assert.Equal(PushOutcome.Acked, outcomes["alive"]);
        Assert.Equal(PushOutcome.WaitedOut, outcomes["dying"]);
        Assert.Contains("registration expired", change.Pushes.Single().Proxies.Single(p => p.Id == "dying").Detail, StringComparison.Ordinal);

        // Bounded by the dead proxy's lease, not by the (long) push deadline.
        Assert.True(clock.Elapsed < DyingLease + TimeSpan.FromSeconds(2), $"the change took {clock.Elapsed}");
        Assert.True(dying.Pushes.Count >= 1, "the dying proxy was tried");
    }

    [Fact]
    public async Task A_registered_proxy_that_never_acks_is_reported_after_the_push_deadline()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl, pushDeadline: TimeSpan.FromSeconds(1.5));
        await using var stuck = await RecordingProxy.StartAsync(dir.StoreUrl, "stuck", ProxyLease);
        using var client = controller.Client();

        stuck.Acks = false;
        var change = await client.CreateNamespaceAsync("default");

        var result = change.Pushes.Single().Proxies.Single();
        Assert.Equal(PushOutcome.Unacknowledged, result.Outcome);
        Assert.True(result.Attempts > 1, "the push was retried");
        Assert.Contains("503", result.Detail, StringComparison.Ordinal);
        Assert.Contains("reload from the store", result.Detail, StringComparison.Ordinal);
    }
}
