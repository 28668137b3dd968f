using System.Security.Cryptography;
using Tessera.Controller.Migration;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Topology;
using Tessera.Store;

namespace Tessera.Controller.Tests.Migration;

/// <summary>Big keys, a target that stops answering, a controller that dies: the migration ends consistent.</summary>
public sealed class MigrationFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_big_key_is_reported_and_moved_alone_and_its_failure_never_holds_back_the_small_keys()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "small", 3000);
        await using (var g1 = await cluster.ConnectAsync(1))
        {
            // ~3 MB of incompressible fields: over the target's request limit below, and over the big-key threshold.
            for (var chunk = 0; chunk < 30; chunk++)
            {
                var args = new List<object> { "HSET", "big:hash" };
                for (var i = 0; i < 2000; i++)
                {
                    args.Add($"f{chunk}:{i}");
                    args.Add(Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));
                }

                Assert.Equal(2000, (await g1.CallAsync([.. args])).Integer);
            }
        }

        await using var g2 = await cluster.ConnectAsync(2);
        Assert.True((await g2.CallAsync("CONFIG", "SET", "proto-max-bulk-len", "1mb")).IsOk);
        var settings = new MigrationSettings { BigKeyBytes = 512 * 1024, MigrateTimeoutMs = 2000, BigKeyTimeoutMs = 10_000 };
        var started = await cluster.Client.StartMigrationAsync(MigrationCluster.Ns, 0, 1023, 2, settings);

        // The big key fails (the target refuses a request that large), the small ones all move regardless.
        var stuck = await cluster.WaitUntilAsync(
            started.Id,
            m => m.BigKeys.Any(k => k.Key == "big:hash" && k.State == "failed") && m.Sources.Count == 1 && m.Sources[0].Pass >= 1 && m.KeysMoved >= 3000,
            Bound,
            "the big key failing while the small keys move");
        Assert.Equal(MigrationState.Moving, stuck.State);
        Assert.Contains("big key big:hash", stuck.LastError, StringComparison.Ordinal);
        Assert.Equal(["big:hash"], await cluster.KeysAsync(1));
        Assert.Equal(3000, (await cluster.KeysAsync(2)).Count);

        // Once the target takes it, a later pass moves it and the migration completes.
        Assert.True((await g2.CallAsync("CONFIG", "SET", "proto-max-bulk-len", "512mb")).IsOk);
        var done = await cluster.WaitAsync(started.Id, Bound);
        Assert.Equal(MigrationState.Done, done.State);
        var report = Assert.Single(done.BigKeys);
        Assert.Equal(("moved", "big:hash"), (report.State, report.Key));
        Assert.True(report.Bytes >= 512 * 1024, $"reported {report.Bytes} bytes");
        Assert.True(report.Milliseconds > 0);
        Assert.Equal(60_000, (await g2.CallAsync("HLEN", "big:hash")).Integer);
        Assert.Empty(await cluster.KeysAsync(1));
        Assert.True(done.Sources[0].Pass >= 2, "a second pass moved the big key");
    }

    [Fact]
    public async Task A_target_that_stops_answering_is_retried_with_backoff_until_every_key_is_there()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "k", 3000, ttlSeconds: 1000);
        await using var g2 = await cluster.ConnectAsync(2);

        // CLIENT PAUSE holds every command on the target, the sources' RESTOREs included: MIGRATE times out.
        Assert.True((await g2.CallAsync("CLIENT", "PAUSE", "3000", "ALL")).IsOk);
        var started = await cluster.Client.StartMigrationAsync(MigrationCluster.Ns, 0, 1023, 2, new MigrationSettings { MigrateTimeoutMs = 300 });
        var troubled = await cluster.WaitUntilAsync(started.Id, m => m.LastError is not null, Bound, "a MIGRATE failure being reported");
        Assert.Contains("MIGRATE", troubled.LastError, StringComparison.Ordinal);

        var done = await cluster.WaitAsync(started.Id, Bound);
        Assert.Equal(MigrationState.Done, done.State);
        Assert.Null(done.LastError);
        Assert.Empty(await cluster.KeysAsync(1));
        Assert.Equal(3000, (await cluster.KeysAsync(2)).Count);
        Assert.InRange((await g2.CallAsync("TTL", "k:1")).Integer, 900, 1000);
    }

    [Fact]
    public async Task A_leader_that_loses_its_lease_and_wins_it_back_goes_on_with_the_migration()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "k", 20_000);
        var started = await cluster.Client.StartMigrationAsync(MigrationCluster.Ns, 0, 1023, 2, new MigrationSettings { KeysPerSecond = 3000 });
        await using var store = StoreFactory.Open(cluster.Directory.StoreUrl);
        await using var target = await cluster.ConnectAsync(2);

        // Each revoke ends the term and the controller is elected again at once. The target is paused first, so
        // the old term's runner is still inside a MIGRATE when the new term begins: the new term must pick the
        // migration up although the old term's worker has not finished yet.
        for (var round = 1; round <= 2; round++)
        {
            var moved = await cluster.WaitUntilAsync(started.Id, m => m.KeysMoved >= round * 5000, Bound, $"{round * 5000} keys moved");
            Assert.Equal(MigrationState.Moving, moved.State);
            Assert.True((await target.CallAsync("CLIENT", "PAUSE", "1500", "ALL")).IsOk);
            await Task.Delay(200);
            var lease = (await store.GetAsync(StorePaths.ControllerLeader))!.Lease!.Value;
            await store.RevokeLeaseAsync(lease);
            await Eventually.TrueAsync(
                async () => await store.GetAsync(StorePaths.ControllerLeader) is { Lease: { } now } && now != lease,
                TimeSpan.FromSeconds(15),
                "the controller taking the lead again");
        }

        var done = await cluster.WaitAsync(started.Id, Bound);
        Assert.Equal(MigrationState.Done, done.State);
        Assert.Empty(await cluster.KeysAsync(1));
        Assert.Equal(20_000, (await cluster.KeysAsync(2)).Count);
    }

    [Fact]
    public async Task A_new_leader_continues_a_migration_from_the_cursor_its_predecessor_saved()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2, leaseTtl: TimeSpan.FromSeconds(1));
        await cluster.FillAsync(1, "k", 20_000);
        var started = await cluster.Client.StartMigrationAsync(MigrationCluster.Ns, 0, 1023, 2, new MigrationSettings { KeysPerSecond = 5000 });
        var midway = await cluster.WaitUntilAsync(started.Id, m => m.KeysMoved >= 4000, Bound, "4000 keys moved");
        Assert.Equal(MigrationState.Moving, midway.State);

        await cluster.CrashControllerAsync();
        var left = (await cluster.KeysAsync(1)).Count;
        Assert.InRange(left, 1, 16_000);

        await cluster.StartControllerAsync("ctl-2", TimeSpan.FromSeconds(1));
        var done = await cluster.WaitAsync(started.Id, Bound);
        Assert.Equal(MigrationState.Done, done.State);
        Assert.Equal(1, Assert.Single(done.Sources).Pass);
        Assert.Empty(await cluster.KeysAsync(1));
        Assert.Equal(20_000, (await cluster.KeysAsync(2)).Count);
        var view = await cluster.Client.GetSlotsAsync(MigrationCluster.Ns);
        Assert.Equal((0, 1023, 2, SlotState.Online), (view.Ranges.Single().From, view.Ranges.Single().To, view.Ranges.Single().Group, view.Ranges.Single().State));
    }
}
