using System.Text.Json;
using Tessera.Controller.Events;
using Tessera.Controller.Failover;
using Tessera.Controller.Health;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Api;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Failover;

/// <summary>
/// <c>tessera group promote</c> with the master alive, under a write load through the proxy: the proxy holds the
/// group's writes, the replica catches up, and it takes over without one failed or lost write; the old master becomes
/// its replica, and <c>tessera events</c> tells the story. Also the refusals, and a group that cannot fail over.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class PromoteTests
{
    private readonly ITestOutputHelper _log;

    public PromoteTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task Promote_switches_a_live_master_over_without_failing_or_losing_a_write()
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(200) };
        await using var cluster = await FailoverCluster.StartAsync(new FailoverClusterOptions { Groups = 1, ReplicasPerGroup = 1, Proxy = true, Health = health }, _log);
        try
        {
            var (old, replica) = (cluster.Groups[1][0], cluster.Groups[1][1]);
            var url = cluster.Controllers[0].Url.ToString();
            var refused = await AdminCli.RunAsync("group", "promote", FailoverCluster.Namespace, "1", old.Endpoint, "--controller", url);
            Assert.True(refused.ExitCode == 1 && refused.Error.Contains("already the master", StringComparison.Ordinal), refused.ToString());
            var unknown = await AdminCli.RunAsync("group", "promote", FailoverCluster.Namespace, "1", "127.0.0.1:1", "--controller", url);
            Assert.True(unknown.ExitCode == 1 && unknown.Error.Contains("is not a replica of group 1", StringComparison.Ordinal), unknown.ToString());

            var load = WriteLoad.Start(cluster.ProxyPort, WriteLoad.TagFor(0, 1023), workers: 2, cluster.Clock);
            await Task.Delay(500);
            var startedAt = cluster.Clock.Elapsed.TotalSeconds;
            var result = await AdminCli.RunAsync("group", "promote", FailoverCluster.Namespace, "1", replica.Endpoint, "--controller", url, "--json");
            var tookSeconds = cluster.Clock.Elapsed.TotalSeconds - startedAt;
            Assert.True(result.ExitCode == 0, result.ToString());
            var change = JsonSerializer.Deserialize<ChangeResult>(result.Output, TesseraJson.Options)!;
            Assert.Equal(replica.Endpoint, change.Namespace.Groups.Single().Master);
            Assert.All(change.Pushes.SelectMany(static p => p.Proxies), static p => Assert.Equal(PushOutcome.Acked, p.Outcome));

            await Eventually.TrueAsync(async () => (await cluster.GroupAsync(1)).Replicas.Contains(old.Endpoint), TimeSpan.FromSeconds(15), $"{old.Endpoint} listed as a replica");
            await Task.Delay(300);
            var attempts = await load.StopAsync();
            var failed = attempts.Where(static a => !a.Ok).ToList();
            var acked = attempts.Where(static a => a.Ok).Select(static a => a.Key).ToList();
            var lost = await FailoverMeasurements.MissingAsync(replica.Endpoint, acked);
            var slowest = attempts.Where(a => a.SentAt >= startedAt).Select(static a => a.DoneAt - a.SentAt).DefaultIfEmpty(0).Max();
            _log.WriteLine($"RESULT manual switchover: promote took {tookSeconds:0.00} s; {acked.Count} acknowledged writes, {failed.Count} failed, {lost.Count} lost; slowest write during it {slowest * 1000:0} ms");
            Assert.True(failed.Count == 0, $"{failed.Count} writes failed during the switchover, e.g. {failed.FirstOrDefault().Error}");
            Assert.Empty(lost);
            Assert.Equal(("slave", replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), await FailoverMeasurements.RoleAsync(old.Endpoint));

            var events = await AdminCli.RunAsync("events", "--controller", url);
            Assert.True(events.ExitCode == 0, events.ToString());
            _log.WriteLine(events.Output);
            Assert.Contains($"manual promotion of group 1 in 'default': promoting {replica.Endpoint}", events.Output, StringComparison.Ordinal);
            Assert.Contains($"promoted  {replica.Endpoint} is now the master of group 1", events.Output, StringComparison.Ordinal);
            Assert.Contains($"demoted  former master {old.Endpoint}", events.Output, StringComparison.Ordinal);
            Assert.Contains($"rejoined  former master {old.Endpoint} replicates from {replica.Endpoint}", events.Output, StringComparison.Ordinal);
            var json = await AdminCli.RunAsync("events", "--controller", url, "--json", "--limit", "3");
            Assert.Equal(3, JsonSerializer.Deserialize<List<ControllerEvent>>(json.Output, TesseraJson.Options)!.Count);
        }
        catch
        {
            await cluster.DumpAsync();
            throw;
        }
    }

    [Fact]
    public async Task A_replica_that_stops_following_its_master_is_pointed_back_at_it()
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(200) };
        await using var cluster = await FailoverCluster.StartAsync(new FailoverClusterOptions { Groups = 1, ReplicasPerGroup = 1, Health = health }, _log);
        try
        {
            var (master, replica) = (cluster.Groups[1][0], cluster.Groups[1][1]);
            await using (var direct = await replica.ConnectAsync(TimeSpan.FromSeconds(5)))
            {
                Assert.True((await direct.CallAsync("REPLICAOF", "NO", "ONE")).IsOk);
            }

            await Eventually.TrueAsync(
                async () => (await cluster.EventsAsync()).Any(e => e.Kind == EventKinds.Repointed && e.Server == replica.Endpoint),
                TimeSpan.FromSeconds(10),
                "a repointed event for the detached replica");
            await Eventually.TrueAsync(
                async () => (await FailoverMeasurements.RoleAsync(replica.Endpoint)) == ("slave", master.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                TimeSpan.FromSeconds(10),
                $"{replica.Endpoint} following {master.Endpoint} again");
            await FailoverCluster.AllHealthyAsync(cluster.Controllers[0], 2, TimeSpan.FromSeconds(10));

            // A proxy's report of a failing backend makes the controller probe it at once; unknown servers are ignored.
            using var client = cluster.Client();
            await client.ReportBackendFailureAsync(new BackendFailureReport(master.Endpoint, "test", "connection reset"));
            await client.ReportBackendFailureAsync(new BackendFailureReport("127.0.0.1:1", "test"));
            Assert.Equal(master.Endpoint, (await cluster.GroupAsync(1)).Master);
        }
        catch
        {
            await cluster.DumpAsync();
            throw;
        }
    }

    [Fact]
    public async Task A_group_without_replica_stays_down_and_says_so()
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromMilliseconds(600), ProbeInterval = TimeSpan.FromMilliseconds(200) };
        await using var cluster = await FailoverCluster.StartAsync(new FailoverClusterOptions { Groups = 1, ReplicasPerGroup = 0, Health = health }, _log);
        try
        {
            var master = cluster.Groups[1][0];
            using var client = cluster.Client();
            var before = await client.GetHealthAsync();
            Assert.Contains(GroupHealthFlags.NoReplica, before.Groups.Single().Flags);

            master.Kill();
            await Eventually.TrueAsync(
                async () => (await cluster.EventsAsync()).Any(e => e.Kind == EventKinds.NoReplica && e.Message.Contains("is down and no replica can take over", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10),
                "a no-replica event for the dead master");
            var health2 = await client.GetHealthAsync();
            Assert.Equal([GroupHealthFlags.MasterDown, GroupHealthFlags.NoReplica], health2.Groups.Single().Flags);
            Assert.Equal(master.Endpoint, (await cluster.GroupAsync(1)).Master);

            var status = await client.GetStatusAsync();
            var problem = status.Namespaces.Single().Groups.Single().Servers.Single().Problem;
            Assert.Contains("if this master fails, the group stays down", problem, StringComparison.Ordinal);
            var text = await AdminCli.RunAsync("events", "--controller", cluster.Controllers[0].Url.ToString());
            _log.WriteLine(text.Output);
        }
        catch
        {
            await cluster.DumpAsync();
            throw;
        }
    }
}
