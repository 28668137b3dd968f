using Tessera.Controller.Events;
using Tessera.Controller.Tests.Support;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Failover;

/// <summary>
/// A master killed with SIGKILL under a steady write load through a real proxy process: the controller declares it
/// down, promotes its replica and switches the proxy, and writes to that group succeed again within the target
/// (architecture §5: under 5 s with the defaults). Counts the acknowledged writes the new master does not have.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class MasterKillTests
{
    private readonly ITestOutputHelper _log;

    public MasterKillTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Theory]
    [InlineData("defaults (down-after 3 s, probe every 1 s)", 3000, 1000, 5.0)]
    [InlineData("tight (down-after 1 s, probe every 200 ms)", 1000, 200, 3.0)]
    public async Task Writes_resume_on_the_promoted_replica_after_the_master_is_killed(string settings, int downAfterMs, int probeMs, double targetSeconds)
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromMilliseconds(downAfterMs), ProbeInterval = TimeSpan.FromMilliseconds(probeMs) };
        await using var cluster = await FailoverCluster.StartAsync(new FailoverClusterOptions { Groups = 2, ReplicasPerGroup = 1, Proxy = true, Health = health }, _log);
        try
        {
            var victim = cluster.Groups[1][0];
            var replica = cluster.Groups[1][1];
            var load = WriteLoad.Start(cluster.ProxyPort, WriteLoad.TagFor(0, 511), workers: 2, cluster.Clock);
            var bystander = WriteLoad.Start(cluster.ProxyPort, WriteLoad.TagFor(512, 1023), workers: 1, cluster.Clock);
            await Task.Delay(1000);

            // The clock starts once the process is gone: writes answered before that were answered by it.
            victim.Kill();
            var killedAt = cluster.Clock.Elapsed.TotalSeconds;
            _log.WriteLine($"{killedAt,7:0.000} killed master {victim.Endpoint} (SIGKILL)");

            await Eventually.TrueAsync(() => load.AckedSoFar(killedAt) > 0, TimeSpan.FromSeconds(20), "a write to group 1 succeeding after the kill");
            await Task.Delay(1000);
            var attempts = await load.StopAsync();
            var other = await bystander.StopAsync();

            var group = await cluster.GroupAsync(1);
            Assert.Equal(replica.Endpoint, group.Master);
            Assert.DoesNotContain(victim.Endpoint, group.Replicas);
            Assert.Equal(replica.Endpoint, await cluster.ProxyMasterAsync(1));

            var recovery = FailoverMeasurements.RecoverySeconds(attempts, killedAt);
            var acked = attempts.Where(static a => a.Ok).Select(static a => a.Key).ToList();
            var lost = await FailoverMeasurements.MissingAsync(replica.Endpoint, acked);
            var failed = attempts.Count(a => !a.Ok && a.SentAt >= killedAt);
            var slowest = attempts.Where(a => a.Ok && a.SentAt >= killedAt).Select(static a => a.DoneAt - a.SentAt).DefaultIfEmpty(0).Max();
            var otherErrors = other.Count(static a => !a.Ok);
            _log.WriteLine($"RESULT {settings}: writes to the group succeeded again {FailoverMeasurements.Seconds(recovery)} after SIGKILL; "
                + $"{acked.Count} acknowledged writes, {lost.Count} lost; {failed} writes failed during the outage, slowest acknowledged one took {slowest:0.00} s; "
                + $"other group: {other.Count(static a => a.Ok)} writes, {otherErrors} errors");

            var events = await cluster.EventsAsync();
            foreach (var kind in new[] { EventKinds.Vote, EventKinds.ObjectivelyDown, EventKinds.Failover, EventKinds.Promoted })
            {
                Assert.True(FailoverMeasurements.Count(events, kind, 1) >= 1, $"no '{kind}' event for group 1");
            }

            Assert.Equal(1, FailoverMeasurements.Count(events, EventKinds.Promoted, 1));
            Assert.NotNull(recovery);
            Assert.True(recovery < targetSeconds, $"writes took {recovery:0.00} s to succeed again with {settings}; the target is under {targetSeconds} s");
            // Replication is asynchronous: each worker has one write in flight, so at most that many can be acknowledged
            // by the old master in its last moment without having reached the replica. More would be a failover bug.
            Assert.True(lost.Count <= 2, $"{lost.Count} acknowledged writes are missing on the new master, e.g. {string.Join(", ", lost.Take(5))}");
            Assert.True(otherErrors == 0, $"the other group saw {otherErrors} errors, e.g. {other.FirstOrDefault(static a => !a.Ok).Error}");
        }
        catch
        {
            await cluster.DumpAsync();
            throw;
        }
    }
}
