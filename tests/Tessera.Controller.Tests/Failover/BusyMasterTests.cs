using Tessera.Controller.Api;
using Tessera.Controller.Events;
using Tessera.Controller.Failover;
using Tessera.Controller.Health;
using Tessera.Controller.Servers;
using Tessera.Controller.Tests.Support;
using Tessera.Resp.Client;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Failover;

/// <summary>
/// A master busy in a runaway script answers every probe -BUSY: it is alive, so it is not failed over however long
/// the script runs, and health and status say it is busy and how to stop it. SCRIPT KILL through the proxy ends
/// the script and the master is up again, still the master.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class BusyMasterTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_master_busy_in_a_script_past_the_down_after_time_is_not_failed_over_and_status_says_busy()
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(1), ProbeInterval = TimeSpan.FromMilliseconds(200) };
        await using var cluster = await FailoverCluster.StartAsync(new FailoverClusterOptions { Groups = 1, ReplicasPerGroup = 1, Proxy = true, Health = health }, log);
        var master = cluster.Groups[1][0];
        Task<Tessera.Resp.Values.RespValue>? loop = null;
        try
        {
            await FailoverCluster.AllHealthyAsync(cluster.Controllers[0], servers: 2, Bound);

            // The script runs straight on the master: the proxy's own request timeout (5 s) plays no part here.
            await using var looping = await RespClient.ConnectAsync(master.Endpoint, Bound);
            Reply.Ok(await looping.CallAsync("CONFIG", "SET", "busy-reply-threshold", 100));
            loop = looping.CallAsync("EVAL", "while true do end", 0);
            using var client = cluster.Client();
            await Eventually.TrueAsync(async () => (await MasterHealthAsync(client, master.Endpoint)).Health == ServerHealthStates.Busy, Bound, "the master reported busy");
            var busyAt = cluster.Clock.Elapsed.TotalSeconds;
            log.WriteLine($"{busyAt,7:0.000} master {master.Endpoint} busy in a script");

            var seen = (await client.GetStatusAsync()).Namespaces.Single().Groups.Single().Servers.Single(s => s.Address == master.Endpoint);
            Assert.Equal("busy", seen.Observed);
            Assert.Equal(ProbeResult.BusyProblem, seen.Problem);

            // Three down-after times of -BUSY: still busy, not down, and still the master.
            await Task.Delay(health.DownAfter * 3);
            var verdict = await MasterHealthAsync(client, master.Endpoint);
            Assert.True(verdict.Health == ServerHealthStates.Busy, $"expected busy, got {verdict.Health} ({verdict.Detail})");
            Assert.Equal(ProbeResult.BusyProblem, verdict.Detail);
            Assert.Equal(master.Endpoint, (await cluster.GroupAsync(1)).Master);

            await using (var proxy = await RespClient.ConnectAsync($"127.0.0.1:{cluster.ProxyPort}", Bound))
            {
                Reply.Ok(await proxy.CallAsync("SCRIPT", "KILL"));
            }

            Reply.Error("ERR Script killed by user with SCRIPT KILL...", await loop.WaitAsync(Bound));
            log.WriteLine($"{cluster.Clock.Elapsed.TotalSeconds,7:0.000} killed through the proxy after {cluster.Clock.Elapsed.TotalSeconds - busyAt:0.00} s busy");
            await FailoverCluster.AllHealthyAsync(cluster.Controllers[0], servers: 2, Bound);
            Assert.Equal(master.Endpoint, (await cluster.GroupAsync(1)).Master);
            Assert.Equal(0, FailoverMeasurements.Count(await cluster.EventsAsync(), EventKinds.Promoted, 1));
        }
        catch
        {
            await cluster.DumpAsync();
            throw;
        }
        finally
        {
            if (loop is { IsCompleted: false })
            {
                // A failed assertion left the script running: stop it so the servers shut down.
                await using var killer = await RespClient.ConnectAsync(master.Endpoint, Bound);
                await killer.CallAsync("SCRIPT", "KILL");
            }
        }
    }

    private static async Task<ServerHealth> MasterHealthAsync(ControllerClient client, string address) =>
        (await client.GetHealthAsync()).Groups.Single().Servers.Single(s => s.Address == address);
}
