using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Tessera.Controller.Proxies;
using Tessera.Controller.Pushes;
using Tessera.Controller.Tests.Support;
using Tessera.Controller.Topology;
using Tessera.Model.Topology;
using Tessera.Store;

namespace Tessera.Controller.Tests.Pushes;

/// <summary>The general two-phase switch (architecture §3) that migration and failover build on, against stand-in proxies.</summary>
public sealed class SlotSwitchTests
{
    [Fact]
    public async Task Routed_slots_are_locked_at_one_epoch_and_switched_at_the_next()
    {
        using var dir = new TempDirectory();
        await using var store = StoreFactory.Open(dir.StoreUrl);
        await using var proxy = await RecordingProxy.StartAsync(dir.StoreUrl, "p1", TimeSpan.FromSeconds(2));
        var (slotSwitch, namespaces, client) = Build(store, TimeSpan.FromSeconds(3));
        using var _ = client;
        var current = await SeedAsync(namespaces);

        var affected = new bool[1024];
        Array.Fill(affected, true, 0, 100);
        var target = current.Config with
        {
            Slots = [new SlotRangeConfig { From = 0, To = 99, Group = 2 }, new SlotRangeConfig { From = 100, To = 1023, Group = 1 }],
        };
        var change = await slotSwitch.SwitchAsync(current, affected, target, CancellationToken.None);

        Assert.Equal(["lock", "switch"], change.Pushes.Select(p => p.Phase));
        Assert.Equal([current.Config.Epoch + 1, current.Config.Epoch + 2], proxy.Pushes.Select(p => p.Namespace.Epoch));
        var locked = proxy.Pushes[0].Namespace.Slots;
        Assert.Collection(locked,
            r => Assert.Equal((0, 99, 1, SlotState.Locked), (r.From, r.To, r.Group, r.State)),
            r => Assert.Equal((100, 1023, 1, SlotState.Online), (r.From, r.To, r.Group, r.State)));
        Assert.Equal(target.Slots, proxy.Pushes[1].Namespace.Slots);
        Assert.Equal(current.Config.Epoch + 2, (await namespaces.RequireAsync("default", CancellationToken.None)).Config.Epoch);
    }

    [Fact]
    public async Task A_lock_that_a_live_proxy_never_acks_is_rolled_back()
    {
        using var dir = new TempDirectory();
        await using var store = StoreFactory.Open(dir.StoreUrl);
        await using var proxy = await RecordingProxy.StartAsync(dir.StoreUrl, "p1", TimeSpan.FromSeconds(2));
        var (slotSwitch, namespaces, client) = Build(store, TimeSpan.FromSeconds(1));
        using var _ = client;
        var current = await SeedAsync(namespaces);
        proxy.Acks = false;

        var affected = new bool[1024];
        affected[5] = true;
        var target = current.Config with { Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 2 }] };
        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => slotSwitch.SwitchAsync(current, affected, target, CancellationToken.None));

        Assert.Equal(503, refused.StatusCode);
        Assert.Contains("did not acknowledge locking the slots", refused.Message, StringComparison.Ordinal);
        Assert.Contains("rolled back", refused.Message, StringComparison.Ordinal);
        var stored = (await namespaces.RequireAsync("default", CancellationToken.None)).Config;
        Assert.Equal(current.Config.Epoch + 2, stored.Epoch);
        Assert.Equal(current.Config.Slots, stored.Slots);
        Assert.Contains(proxy.Pushes, p => p.Namespace.Epoch == current.Config.Epoch + 2 && p.Namespace.Slots.All(s => s.State == SlotState.Online));
    }

    [Fact]
    public async Task A_new_leader_releases_slots_left_locked_by_a_dead_one()
    {
        using var dir = new TempDirectory();
        await using (var store = StoreFactory.Open(dir.StoreUrl))
        {
            var namespaces = new NamespaceRepository(store);
            var current = await SeedAsync(namespaces);
            await namespaces.ReplaceAsync(current, current.Config with
            {
                Epoch = current.Config.Epoch + 1,
                Slots = [new SlotRangeConfig { From = 0, To = 9, Group = 1, State = SlotState.Locked }, new SlotRangeConfig { From = 10, To = 1023, Group = 1 }],
            }, CancellationToken.None);
        }

        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await Eventually.TrueAsync(
            async () => (await client.GetSlotsAsync("default")).Ranges is [{ From: 0, To: 1023, State: SlotState.Online }],
            TimeSpan.FromSeconds(5),
            "the locked slots being released");
    }

    private static (SlotSwitch Switch, NamespaceRepository Namespaces, ProxyAdminClient Client) Build(ICoordinatorStore store, TimeSpan pushDeadline)
    {
        var options = new ControllerOptions { StoreUrl = store.Url, Listen = new IPEndPoint(IPAddress.Loopback, 0), PushDeadline = pushDeadline, PushCallTimeout = TimeSpan.FromSeconds(1) };
        var namespaces = new NamespaceRepository(store);
        var client = new ProxyAdminClient(static () => null);
        using var metrics = new Tessera.Controller.Metrics.ControllerMetrics();
        var pusher = new RoutePusher(new ProxyDirectory(store, NullLogger.Instance), client, options, metrics, TimeProvider.System, NullLogger.Instance);
        return (new SlotSwitch(namespaces, pusher), namespaces, client);
    }

    private static async Task<StoredNamespace> SeedAsync(NamespaceRepository namespaces)
    {
        var created = await namespaces.CreateAsync("default", open: true, CancellationToken.None);
        return await namespaces.ReplaceAsync(created, created.Config with
        {
            Epoch = created.Config.Epoch + 1,
            Groups = [new GroupConfig { Id = 1, Master = "127.0.0.1:1" }, new GroupConfig { Id = 2, Master = "127.0.0.1:2" }],
            Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }],
        }, CancellationToken.None);
    }
}
