using Tessera.Controller.Events;
using Tessera.Controller.Failover;
using Tessera.Controller.Tests.Support;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Failover;

/// <summary>
/// Three controllers; the master dies; the leader detaches the chosen replica (REPLICAOF NO ONE) and dies before
/// committing it. A standby takes over, finds the failover record and finishes that same promotion: one new master,
/// one "promoted" event, the other replica following it. Choosing again would have promoted the other replica too
/// (the detached one no longer looks like a replica).
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class LeaderCrashTests
{
    private readonly ITestOutputHelper _log;

    public LeaderCrashTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task A_failover_whose_leader_dies_half_way_completes_exactly_once_under_the_next_leader()
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(200) };
        await using var cluster = await FailoverCluster.StartAsync(
            new FailoverClusterOptions { Groups = 1, ReplicasPerGroup = 2, Controllers = 3, Health = health, LeaseTtl = TimeSpan.FromSeconds(2) }, _log);
        try
        {
            var leader = await cluster.LeaderAsync(TimeSpan.FromSeconds(5));
            var halfway = new TaskCompletionSource<FailoverRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
            var stalled = 0;
            foreach (var controller in cluster.Controllers)
            {
                // The first controller to get this far stops here, as if it died right after detaching the replica.
                controller.Failover.Coordinator.StepReached = async (step, record, term) =>
                {
                    if (step == FailoverStep.Promoted && Interlocked.Exchange(ref stalled, 1) == 0)
                    {
                        halfway.TrySetResult(record);
                        await Task.Delay(Timeout.Infinite, term);
                    }
                };
            }

            // Standbys refuse a manual promotion, naming the leader.
            using (var standby = cluster.Client(cluster.Controllers.First(c => c != leader)))
            {
                var refused = await Assert.ThrowsAsync<Api.ControllerApiException>(() => standby.PromoteAsync(FailoverCluster.Namespace, 1, cluster.Groups[1][1].Endpoint));
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Contains(leader.Url.ToString().TrimEnd('/'), refused.Message, StringComparison.Ordinal);
            }

            var master = cluster.Groups[1][0];
            master.Kill();
            _log.WriteLine($"{cluster.Clock.Elapsed.TotalSeconds,7:0.000} killed master {master.Endpoint}");
            var record = await halfway.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(leader.Id, record.StartedBy);
            var chosen = record.To;
            var other = cluster.Groups[1].Skip(1).Single(s => s.Endpoint != chosen);
            Assert.Equal("master", (await FailoverMeasurements.RoleAsync(chosen)).Role);
            Assert.Equal(master.Endpoint, (await cluster.GroupAsync(1, leader)).Master);

            _log.WriteLine($"{cluster.Clock.Elapsed.TotalSeconds,7:0.000} {leader.Id} detached {chosen} and now dies before committing it");
            await leader.CrashAsync();
            cluster.Controllers.Remove(leader);

            var next = await cluster.LeaderAsync(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(async () => (await cluster.GroupAsync(1, next)).Master == chosen, TimeSpan.FromSeconds(20), $"{chosen} committed as master by the next leader");
            _log.WriteLine($"{cluster.Clock.Elapsed.TotalSeconds,7:0.000} {next.Id} committed {chosen}");

            var group = await cluster.GroupAsync(1, next);
            Assert.Equal([other.Endpoint], group.Replicas);
            await Eventually.TrueAsync(
                async () => (await FailoverMeasurements.RoleAsync(other.Endpoint)).MasterPort == cluster.Server(chosen).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TimeSpan.FromSeconds(10),
                $"{other.Endpoint} replicating from {chosen}");

            // The other replica follows the new master before the commit is recorded as an event: wait for the event.
            IReadOnlyList<ControllerEvent> events = [];
            await Eventually.TrueAsync(
                async () => FailoverMeasurements.Count(events = await cluster.EventsAsync(), EventKinds.Promoted, 1) >= 1,
                TimeSpan.FromSeconds(10),
                "the promotion's event");
            Assert.Equal(1, FailoverMeasurements.Count(events, EventKinds.Promoted, 1));
            Assert.Contains(events, e => e.Kind == EventKinds.Failover && e.Controller == next.Id && e.Message.Contains("resumes", StringComparison.Ordinal));
            Assert.Equal("master", (await FailoverMeasurements.RoleAsync(chosen)).Role);
            Assert.Equal("slave", (await FailoverMeasurements.RoleAsync(other.Endpoint)).Role);

            using var client = cluster.Client(next);
            var failover = (await client.GetHealthAsync()).Failovers.Single(f => f.Group == 1);
            Assert.Equal((chosen, leader.Id, next.Id, FailoverStates.AwaitingRejoin), (failover.To, failover.StartedBy, failover.ResumedBy, failover.State));
            await cluster.DumpAsync();
        }
        catch
        {
            await cluster.DumpAsync();
            throw;
        }
    }
}
