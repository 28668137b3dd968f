using System.Net;
using Tessera.Controller.Migration;
using Tessera.Controller.Rebalance;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Topology;

namespace Tessera.Controller.Tests.Migration;

/// <summary>Pause, resume, cancel, throttle, and what the API refuses.</summary>
public sealed class MigrationControlTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Pause_holds_the_mover_resume_goes_on_and_cancel_brings_every_key_back()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "k", 20_000);
        var client = cluster.Client;
        var started = await client.StartMigrationAsync(MigrationCluster.Ns, 0, 1023, 2, new MigrationSettings { KeysPerSecond = 4000 });
        await cluster.WaitUntilAsync(started.Id, m => m.KeysMoved >= 2000, Bound, "2000 keys moved");

        var paused = Assert.Single(await client.ControlMigrationAsync(MigrationCluster.Ns, started.Id, new MigrationControlRequest { Action = "pause" }));
        Assert.Equal(MigrationState.Paused, paused.State);
        await Task.Delay(1500);
        var onTwo = (await cluster.KeysAsync(2)).Count;
        await Task.Delay(1000);
        Assert.Equal(onTwo, (await cluster.KeysAsync(2)).Count);
        Assert.Equal(SlotState.Migrating, (await client.GetSlotsAsync(MigrationCluster.Ns)).Ranges.Single().State);

        // "all" addresses every unfinished migration of the namespace.
        var resumed = Assert.Single(await client.ControlMigrationAsync(MigrationCluster.Ns, "all", new MigrationControlRequest { Action = "resume" }));
        Assert.Equal(MigrationState.Moving, resumed.State);
        await cluster.WaitUntilAsync(started.Id, m => m.KeysMoved >= onTwo + 1000, Bound, "1000 more keys moved after resume");
        var throttled = Assert.Single(await client.ControlMigrationAsync(MigrationCluster.Ns, started.Id, new MigrationControlRequest { Action = "throttle", KeysPerSecond = 0 }));
        Assert.Equal(0, throttled.Settings.KeysPerSecond);

        var cancelled = Assert.Single(await client.ControlMigrationAsync(MigrationCluster.Ns, started.Id, new MigrationControlRequest { Action = "cancel" }));
        Assert.True(cancelled.Reverse);
        Assert.Equal("cancelling", cancelled.Phase);
        var final = await cluster.WaitAsync(started.Id, Bound);
        Assert.Equal(MigrationState.Cancelled, final.State);
        Assert.Empty(await cluster.KeysAsync(2));
        Assert.Equal(20_000, (await cluster.KeysAsync(1)).Count);
        var view = await client.GetSlotsAsync(MigrationCluster.Ns);
        Assert.Equal((0, 1023, 1, SlotState.Online), (view.Ranges.Single().From, view.Ranges.Single().To, view.Ranges.Single().Group, view.Ranges.Single().State));

        await ApiAssert.RefusedAsync(() => client.ControlMigrationAsync(MigrationCluster.Ns, started.Id, new MigrationControlRequest { Action = "resume" }), HttpStatusCode.Conflict, "is cancelled");
    }

    [Fact]
    public async Task Migrations_queue_in_order_and_the_api_refuses_what_cannot_be_done()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "k", 5000);
        var client = cluster.Client;
        await client.CreateGroupAsync(MigrationCluster.Ns, 3);
        const string Ns = MigrationCluster.Ns;

        await ApiAssert.RefusedAsync(() => client.StartMigrationAsync(Ns, 0, 10, 9), HttpStatusCode.NotFound, "has no group 9");
        await ApiAssert.RefusedAsync(() => client.StartMigrationAsync(Ns, 0, 10, 3), HttpStatusCode.Conflict, "group 3", "has no master");
        await ApiAssert.RefusedAsync(() => client.StartMigrationAsync(Ns, 5, 1024, 2), HttpStatusCode.BadRequest, "within 0..1023");
        await ApiAssert.RefusedAsync(() => client.StartMigrationAsync(Ns, 0, 10, 2, new MigrationSettings { BatchKeys = 0 }), HttpStatusCode.BadRequest, "batchKeys");
        await ApiAssert.RefusedAsync(() => client.StartMigrationAsync("nope", 0, 10, 2), HttpStatusCode.NotFound, "namespace 'nope' does not exist");

        // A paused migration keeps its slots: overlapping ones are refused, others run meanwhile. (At 1 key/s its
        // mover moves one batch, then waits until it is paused.)
        var first = await client.StartMigrationAsync(Ns, 0, 99, 2, new MigrationSettings { KeysPerSecond = 1 });
        await client.ControlMigrationAsync(Ns, first.Id, new MigrationControlRequest { Action = "pause" });
        await ApiAssert.RefusedAsync(() => client.StartMigrationAsync(Ns, 50, 150, 2), HttpStatusCode.Conflict, "slot 50", "unfinished migration m000001");
        await ApiAssert.RefusedAsync(() => client.RebalanceAsync(Ns, new RebalanceRequest()), HttpStatusCode.Conflict, "unfinished migration(s) m000001");
        var second = await client.StartMigrationAsync(Ns, 100, 199, 2);
        Assert.Equal("m000002", second.Id);
        Assert.Equal(MigrationState.Done, (await cluster.WaitAsync(second.Id, Bound)).State);
        await ApiAssert.RefusedAsync(() => client.StartMigrationAsync(Ns, 150, 160, 2), HttpStatusCode.Conflict, "slot 150", "already owned by group 2");

        await ApiAssert.RefusedAsync(() => client.ControlMigrationAsync(Ns, first.Id, new MigrationControlRequest { Action = "explode" }), HttpStatusCode.BadRequest, "pause, resume, cancel or throttle");
        await ApiAssert.RefusedAsync(() => client.ControlMigrationAsync(Ns, "m000099", new MigrationControlRequest { Action = "pause" }), HttpStatusCode.NotFound, "no migration 'm000099'");
        await ApiAssert.RefusedAsync(() => client.ControlMigrationAsync(Ns, second.Id, new MigrationControlRequest { Action = "cancel" }), HttpStatusCode.Conflict, "is done");

        // Cancelling the paused one brings its keys and slots back (at full speed once its throttle is lifted).
        await client.ControlMigrationAsync(Ns, first.Id, new MigrationControlRequest { Action = "throttle", KeysPerSecond = 0 });
        var cancelled = Assert.Single(await client.ControlMigrationAsync(Ns, first.Id, new MigrationControlRequest { Action = "cancel" }));
        Assert.True(cancelled.Reverse);
        Assert.Equal(MigrationState.Cancelled, (await cluster.WaitAsync(first.Id, Bound)).State);
        Assert.DoesNotContain(await cluster.KeysAsync(2), k => MigrationCluster.SlotOf(k) < 100);
        var view = await client.GetSlotsAsync(Ns);
        Assert.Equal([(0, 99, 1), (100, 199, 2), (200, 1023, 1)], view.Ranges.Select(r => (r.From, r.To, r.Group)));
        Assert.All(view.Ranges, r => Assert.Equal(SlotState.Online, r.State));

        var all = await client.ListMigrationsAsync();
        Assert.Equal(["m000001", "m000002"], all.Select(m => m.Id));
    }
}
