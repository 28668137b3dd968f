using Tessera.Controller.Events;
using Tessera.Controller.Tests.Support;
using Tessera.Resp.Client;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Failover;

/// <summary>
/// No split brain: a master frozen with SIGSTOP past the down-after time is failed over under a write load; when it
/// is let go (SIGCONT) it still believes it is a master, and the controller demotes it to a replica of the new master
/// before listing it again. Afterwards exactly one server of the group accepts writes, the proxy routes to it, and
/// writes through the proxy keep succeeding.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class PausedMasterTests
{
    private readonly ITestOutputHelper _log;

    public PausedMasterTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task A_paused_master_is_demoted_when_it_resumes_and_only_the_new_master_takes_writes()
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(200) };
        await using var cluster = await FailoverCluster.StartAsync(new FailoverClusterOptions { Groups = 1, ReplicasPerGroup = 1, Proxy = true, Health = health }, _log);
        var old = cluster.Groups[1][0];
        var replica = cluster.Groups[1][1];
        try
        {
            var load = WriteLoad.Start(cluster.ProxyPort, WriteLoad.TagFor(0, 1023), workers: 2, cluster.Clock);
            await Task.Delay(500);
            FailoverCluster.Signal("STOP", old.Pid);
            var pausedAt = cluster.Clock.Elapsed.TotalSeconds;
            _log.WriteLine($"{pausedAt,7:0.000} SIGSTOP master {old.Endpoint}");

            await Eventually.TrueAsync(async () => (await cluster.GroupAsync(1)).Master == replica.Endpoint, TimeSpan.FromSeconds(20), $"{replica.Endpoint} promoted");
            await Eventually.TrueAsync(() => load.AckedSoFar(pausedAt) > 0, TimeSpan.FromSeconds(20), "writes succeeding again through the proxy");
            var resumedAt = cluster.Clock.Elapsed.TotalSeconds;
            FailoverCluster.Signal("CONT", old.Pid);
            _log.WriteLine($"{resumedAt,7:0.000} SIGCONT {old.Endpoint}; it still thinks it is the master");

            await Eventually.TrueAsync(
                async () => (await cluster.GroupAsync(1)).Replicas.Contains(old.Endpoint),
                TimeSpan.FromSeconds(20),
                $"{old.Endpoint} listed again as a replica");
            var rejoinedAt = cluster.Clock.Elapsed.TotalSeconds;
            await Task.Delay(500);
            var attempts = await load.StopAsync();

            // Exactly one master in the group, and it is the one the store and the proxy name.
            var oldRole = await FailoverMeasurements.RoleAsync(old.Endpoint);
            var newRole = await FailoverMeasurements.RoleAsync(replica.Endpoint);
            Assert.Equal(("slave", replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), oldRole);
            Assert.Equal("master", newRole.Role);
            Assert.Equal(replica.Endpoint, await cluster.ProxyMasterAsync(1));
            await using (var direct = await RespClient.ConnectAsync(old.Endpoint, TimeSpan.FromSeconds(5)))
            {
                var refused = await direct.CallAsync("SET", "split-brain-probe", "1");
                Assert.True(refused.IsError && refused.AsString()!.StartsWith("READONLY", StringComparison.Ordinal), $"the old master accepted a write: {refused}");
            }

            // Writes through the proxy after the old master came back all succeeded and all landed on the new master.
            var afterResume = attempts.Where(a => a.SentAt >= resumedAt).ToList();
            var failedAfterResume = afterResume.Where(static a => !a.Ok).ToList();
            var acked = attempts.Where(static a => a.Ok).Select(static a => a.Key).ToList();
            var lost = await FailoverMeasurements.MissingAsync(replica.Endpoint, acked);
            var recovery = FailoverMeasurements.RecoverySeconds(attempts, pausedAt);
            _log.WriteLine($"RESULT SIGSTOP (down-after 1 s): writes succeeded again {FailoverMeasurements.Seconds(recovery)} after the pause; "
                + $"old master demoted and listed as a replica {rejoinedAt - resumedAt:0.00} s after SIGCONT; {afterResume.Count} writes after SIGCONT, {failedAfterResume.Count} failed; "
                + $"{acked.Count} acknowledged writes in all, {lost.Count} missing on the new master");
            Assert.Empty(failedAfterResume);
            // Replication is asynchronous: each worker has one write in flight, so at most that many can be acknowledged
            // by the old master in its last moment without having reached the replica. More would be a failover bug.
            Assert.True(lost.Count <= 2, $"{lost.Count} acknowledged writes are missing on the new master, e.g. {string.Join(", ", lost.Take(5))}");

            var events = await cluster.EventsAsync();
            Assert.Equal(1, FailoverMeasurements.Count(events, EventKinds.Promoted, 1));
            Assert.Contains(events, e => e.Kind == EventKinds.Demoted && e.Server == old.Endpoint);
            Assert.Contains(events, e => e.Kind == EventKinds.Rejoined && e.Server == old.Endpoint);
            await cluster.DumpAsync();
        }
        catch
        {
            await cluster.DumpAsync();
            throw;
        }
        finally
        {
            FailoverCluster.Signal("CONT", old.Pid);
        }
    }
}
