using System.Diagnostics;
using System.Net;
using Tessera.Controller.Hosting;
using Tessera.Controller.Tests.Support;
using Tessera.Local.Etcd;
using Tessera.Store;

namespace Tessera.Controller.Tests.Election;

/// <summary>
/// Two controllers on one store: one leads, the other stands by (reads work, changes are refused naming the
/// leader) and takes over within about one lease TTL when the leader dies, on the file store and on etcd.
/// </summary>
public sealed class LeaderElectionTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    /// <summary>Slack over one TTL: the standby's poll, etcd's expiry sweep and a busy machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task A_standby_answers_reads_refuses_changes_and_takes_over_when_the_leader_dies_on_the_file_store()
    {
        using var dir = new TempDirectory();
        await StandbyTakesOverAsync(dir.StoreUrl);
    }

    [Fact]
    public async Task A_standby_takes_over_when_the_leader_dies_on_etcd()
    {
        await using var etcd = await EtcdCluster.StartAsync(1);
        await StandbyTakesOverAsync(etcd.Url);
    }

    [Fact]
    public async Task A_leader_that_stops_gracefully_hands_over_at_once()
    {
        using var dir = new TempDirectory();
        var first = await TestControllers.StartLeaderAsync(dir.StoreUrl, "first", TimeSpan.FromSeconds(10));
        await using var second = await TestControllers.StartAsync(dir.StoreUrl, "second", TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => second.KnownLeader?.Id == "first", TimeSpan.FromSeconds(5), "the standby seeing the leader");

        var clock = Stopwatch.StartNew();
        await first.DisposeAsync();

        // The lease is revoked on the way out: no need to wait for its 10 s TTL.
        Assert.True(await second.WaitForLeadershipAsync(TimeSpan.FromSeconds(3)), "the standby did not take over after a graceful stop");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_leader_that_loses_its_lease_steps_down()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl, "only", Ttl);
        await using var store = StoreFactory.Open(dir.StoreUrl);
        var lease = (await store.GetAsync(StorePaths.ControllerLeader))!.Lease!.Value;
        var context = controller.Election.Term ?? throw new InvalidOperationException("not leading");

        await store.RevokeLeaseAsync(lease);

        // It notices at its next renewal (a third of the TTL) and stops acting as leader.
        await Eventually.TrueAsync(() => context.IsCancellationRequested, Ttl, "the leader's term ending after its lease was revoked");

        // Nobody else wants the lock, so it campaigns again and wins with a new lease.
        Assert.True(await controller.WaitForLeadershipAsync(TimeSpan.FromSeconds(5)));
        Assert.NotEqual(lease, (await store.GetAsync(StorePaths.ControllerLeader))!.Lease);
    }

    [Fact]
    public async Task Options_are_checked_before_anything_starts()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ControllerServer.StartAsync(new ControllerOptions { StoreUrl = "zk://nope", Listen = new IPEndPoint(IPAddress.Loopback, 0) }));
        await Assert.ThrowsAsync<ArgumentException>(() => ControllerServer.StartAsync(new ControllerOptions { StoreUrl = "file:///tmp/x", LeaseTtl = TimeSpan.FromMilliseconds(10) }));
    }

    private static async Task StandbyTakesOverAsync(string storeUrl)
    {
        var leader = await TestControllers.StartLeaderAsync(storeUrl, "ctl-a", Ttl);
        try
        {
            await using var standby = await TestControllers.StartAsync(storeUrl, "ctl-b", Ttl);
            using var toLeader = leader.Client();
            using var toStandby = standby.Client();
            await toLeader.CreateNamespaceAsync("default");
            await Eventually.TrueAsync(() => standby.KnownLeader?.Id == "ctl-a", TimeSpan.FromSeconds(5), "the standby seeing the leader");

            Assert.False(standby.IsLeader);
            var info = await toStandby.GetControllerAsync();
            Assert.False(info.IsLeader);
            Assert.Equal(leader.Url.ToString().TrimEnd('/'), info.Leader!.Url);
            Assert.Equal(["default"], (await toStandby.ListNamespacesAsync()).Select(n => n.Name));
            await ApiAssert.RefusedAsync(() => toStandby.CreateGroupAsync("default", 1), HttpStatusCode.ServiceUnavailable,
                $"this controller is a standby; the leader is {leader.Url.ToString().TrimEnd('/')}");

            var clock = Stopwatch.StartNew();
            await leader.CrashAsync();
            Assert.True(await standby.WaitForLeadershipAsync(Ttl + Slack), $"the standby did not take over within {(Ttl + Slack).TotalSeconds} s of the leader dying");
            var tookOver = clock.Elapsed;
            Assert.True(tookOver >= Ttl / 3, $"took over after only {tookOver}: the dead leader's lease cannot have expired yet");

            var change = await toStandby.CreateGroupAsync("default", 1);
            Assert.Single(change.Namespace.Groups);
            Assert.True((await toStandby.GetControllerAsync()).IsLeader);
        }
        finally
        {
            await leader.DisposeAsync();
        }
    }
}
