using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Controller.Tests.Support;
using Tessera.Local.Etcd;
using Tessera.Local.Networking;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Resp.Client;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Scenarios;

/// <summary>
/// The control plane end to end with real processes only: two controllers and two proxies (tessera processes),
/// redis-servers, and the store as files or as a 3-member etcd cluster. The topology is built with the admin
/// verbs, every change must reach both running proxies within a second, status must show them in agreement, and
/// neither a dead controller nor a dead etcd member may disturb clients.
/// </summary>
public sealed class ControlPlaneScenarioTests
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ControllerTtl = TimeSpan.FromSeconds(3);
    private readonly ITestOutputHelper _log;

    public ControlPlaneScenarioTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task Two_proxies_follow_the_controller_on_the_file_store()
    {
        using var dir = new TempDirectory();
        await RunAsync(dir, dir.StoreUrl, etcd: null);
    }

    [Fact]
    public async Task Two_proxies_follow_the_controller_on_a_three_member_etcd_cluster()
    {
        using var dir = new TempDirectory();
        await using var etcd = await EtcdCluster.StartAsync(3);
        await RunAsync(dir, etcd.Url, etcd);
    }

    private async Task RunAsync(TempDirectory dir, string storeUrl, EtcdCluster? etcd)
    {
        await using var redis = await RedisServers.StartAsync(dir, 4);
        using var leader = StartController(storeUrl, "ctl-a", out var leaderUrl);
        await leader.WaitForLineAsync("is ready on", Start);
        await WaitForLeaderAsync(leaderUrl, TimeSpan.FromSeconds(10));
        using var standby = StartController(storeUrl, "ctl-b", out var standbyUrl);
        using var p1 = StartProxy(storeUrl, "p1", out var p1Port, out var p1Admin);
        using var p2 = StartProxy(storeUrl, "p2", out var p2Port, out var p2Admin);
        await Task.WhenAll(standby.WaitForLineAsync("is ready on", Start), p1.WaitForLineAsync("is ready on", Start), p2.WaitForLineAsync("is ready on", Start));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // The proxies' admin APIs take an API token as well as the cluster secret.
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.AdminToken(storeUrl));
        try
        {
            // The topology, built with the verbs a person would type; each change must be live on both proxies.
            string[][] steps =
            [
                ["namespace", "create", "default", "--open"],
                ["group", "create", "default", "1"],
                ["group", "create", "default", "2"],
                ["group", "add", "default", "1", redis[0].Endpoint],
                ["group", "add", "default", "1", redis[1].Endpoint],
                ["group", "add", "default", "2", redis[2].Endpoint],
                ["group", "add", "default", "2", redis[3].Endpoint, "--zone", "b"],
                ["slots", "assign", "default", "0-511", "1"],
                ["slots", "assign", "default", "512-1023", "2"],
            ];
            // Warm up the CLI, the controller's push path and the proxies' admin endpoints with a throwaway
            // namespace, so that the timings below measure propagation, not the first JIT of each process.
            Assert.Equal(0, (await AdminCli.RunAsync("status", "--controller", leaderUrl)).ExitCode);
            await ChangeAsync(leaderUrl, ["namespace", "create", "warm-up"]);
            await ChangeAsync(leaderUrl, ["namespace", "remove", "warm-up"]);
            foreach (var step in steps)
            {
                // The push (from the controller's commit to both proxies' acks) is what must take under a second;
                // the whole verb (CLI, HTTP, REPLICAOF, store write) is logged beside it.
                var stepClock = Stopwatch.StartNew();
                var change = await ChangeAsync(leaderUrl, step);
                await BothServeAsync(http, [p1Admin, p2Admin], "default", change.Namespace.Epoch, TimeSpan.FromSeconds(1));
                var push = change.Pushes.Max(p => p.Milliseconds);
                _log.WriteLine($"tessera {string.Join(' ', step)}: pushed to both proxies in {push:0} ms; the verb took {stepClock.Elapsed.TotalMilliseconds:0} ms");
                Assert.True(push < 1000, $"tessera {string.Join(' ', step)}: the push took {push:0} ms to reach both proxies");
            }

            await StatusAgreesAsync(leaderUrl, expectedProxies: 2);
            await TrafficAsync(p1Port, p2Port, "before");

            // A dead controller leaves proxies serving; the standby takes over and changes flow again.
            var clock = Stopwatch.StartNew();
            leader.Kill();
            await TrafficAsync(p2Port, p1Port, "controller-down");
            await WaitForLeaderAsync(standbyUrl, ControllerTtl + TimeSpan.FromSeconds(3));
            _log.WriteLine($"standby took over {clock.Elapsed.TotalSeconds:0.0} s after the leader was killed");
            var after = await ChangeAsync(standbyUrl, ["namespace", "create", "after-failover"]);
            await BothServeAsync(http, [p1Admin, p2Admin], "after-failover", after.Namespace.Epoch, TimeSpan.FromSeconds(1));

            if (etcd is not null)
            {
                // Clients keep going while an etcd member dies; so do changes.
                using var stop = new CancellationTokenSource();
                var traffic = SteadyTrafficAsync(p1Port, p2Port, stop.Token);
                await Task.Delay(500);
                etcd.Members[0].Kill();
                await Task.Delay(TimeSpan.FromSeconds(3));
                // The controller may have lost its lease while etcd elected a new raft leader; it leads again within a TTL.
                await WaitForLeaderAsync(standbyUrl, ControllerTtl + TimeSpan.FromSeconds(3));
                var late = await ChangeAsync(standbyUrl, ["namespace", "create", "after-etcd-kill"]);
                await BothServeAsync(http, [p1Admin, p2Admin], "after-etcd-kill", late.Namespace.Epoch, TimeSpan.FromSeconds(1));
                await stop.CancelAsync();
                var (ok, errors) = await traffic;
                _log.WriteLine($"during the etcd member kill: {ok} commands answered, {errors.Count} errors");
                Assert.True(errors.Count == 0, $"clients saw errors while an etcd member died: {string.Join("; ", errors.Take(5))}");
                Assert.True(ok > 50, $"only {ok} commands went through during the etcd member kill");
                await StatusAgreesAsync(standbyUrl, expectedProxies: 2);
            }
        }
        catch (Exception) when (Dump(leader, standby, p1, p2))
        {
            throw;
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> StoreByController = new();

    private static string StoreOf(string controllerUrl) => StoreByController[controllerUrl.TrimEnd('/')];

    private static TesseraProcess StartController(string storeUrl, string id, out string url)
    {
        var port = FreePort.Find().ToString(CultureInfo.InvariantCulture);
        url = $"http://127.0.0.1:{port}";
        TestTokens.Register(new Uri(url), storeUrl);
        StoreByController[url] = storeUrl;
        return TesseraProcess.StartNamed(id, "controller", "--store", storeUrl, "--listen", $"127.0.0.1:{port}", "--id", id, "--admin-token-file", TestTokens.FileFor(storeUrl),
            "--lease-ttl", ControllerTtl.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--log-level", "Information");
    }

    private static TesseraProcess StartProxy(string storeUrl, string name, out int port, out string adminUrl)
    {
        port = FreePort.Find();
        var admin = FreePort.Find();
        adminUrl = $"http://127.0.0.1:{admin.ToString(CultureInfo.InvariantCulture)}";
        return TesseraProcess.StartNamed(name, "proxy", "--store", storeUrl,
            "--listen", $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}", "--admin", $"127.0.0.1:{admin.ToString(CultureInfo.InvariantCulture)}", "--log-level", "Warning");
    }

    /// <summary>One admin verb through the CLI (in-process, --json); fails with its output unless it succeeded with every proxy acking.</summary>
    private static async Task<ChangeResult> ChangeAsync(string controller, string[] verb)
    {
        var result = await AdminCli.RunAsync([.. verb, "--controller", controller, "--json"]);
        Assert.True(result.ExitCode == 0, $"tessera {string.Join(' ', verb)}\n{result}");
        var change = JsonSerializer.Deserialize<ChangeResult>(result.Output, TesseraJson.Options)!;
        foreach (var phase in change.Pushes)
        {
            Assert.True(phase.Proxies.Count == 2 && phase.Proxies.All(p => p.Outcome == PushOutcome.Acked),
                $"tessera {string.Join(' ', verb)}: push of epoch {phase.Epoch} was not acked by both proxies: {JsonSerializer.Serialize(phase.Proxies)}");
        }

        return change;
    }

    private static async Task BothServeAsync(HttpClient http, string[] admins, string ns, long epoch, TimeSpan within)
    {
        foreach (var admin in admins)
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    var state = await http.GetFromJsonAsync<ProxyRoutesState>(ApiUrl.Combine(admin, ProxyAdminRoutes.Topology), TesseraJson.Options);
                    return state!.Namespaces.Any(n => n.Name == ns && n.Epoch >= epoch);
                },
                within,
                $"the proxy at {admin} serving namespace '{ns}' at epoch {epoch}");
        }
    }

    /// <summary><c>tessera status --json</c> through the real executable: both proxies at the stored epoch with matching signatures.</summary>
    private static async Task StatusAgreesAsync(string controller, int expectedProxies)
    {
        // The real executable reads its token from a file, as an operator's would.
        var result = await TesseraProcess.RunAsync(TimeSpan.FromSeconds(30), "status", "--json", "--controller", controller, "--token-file", TestTokens.FileFor(StoreOf(controller)));
        Assert.True(result.ExitCode == 0, result.ToString());
        var status = JsonSerializer.Deserialize<StatusReport>(result.Output, TesseraJson.Options)!;
        var stored = status.Namespaces.Single(n => n.Name == "default");
        Assert.Equal(1024, stored.AssignedSlots);
        Assert.All(stored.Groups.SelectMany(g => g.Servers), s => Assert.True(s.Observed == s.Role, $"{s.Address}: stored {s.Role}, observed {s.Observed} ({s.Problem})"));
        Assert.Equal(expectedProxies, status.Proxies.Count);
        foreach (var proxy in status.Proxies)
        {
            Assert.True(proxy.Reachable && !proxy.Fenced, $"proxy {proxy.Proxy.Id}: {proxy.Problem}");
            var mine = proxy.Namespaces.Single(n => n.Name == "default");
            Assert.True(mine.Matches && mine.Epoch == stored.Epoch, $"proxy {proxy.Proxy.Id} serves epoch {mine.Epoch} ({mine.Signature}); the store has {stored.Epoch} ({stored.Signature})");
        }
    }

    /// <summary>Writes keys across both groups through one proxy and reads them back through the other.</summary>
    private static async Task TrafficAsync(int writePort, int readPort, string tag)
    {
        await using var writer = await RespClient.ConnectAsync("127.0.0.1", writePort, TimeSpan.FromSeconds(5));
        await using var reader = await RespClient.ConnectAsync("127.0.0.1", readPort, TimeSpan.FromSeconds(5));
        for (var i = 0; i < 50; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{tag}:{i}");
            var set = await writer.CallAsync("SET", key, key);
            Assert.True(set.IsOk, $"SET {key} through 127.0.0.1:{writePort} answered {set}");
            Assert.Equal(key, (await reader.CallAsync("GET", key)).AsString());
        }
    }

    /// <summary>SET/GET in a loop through both proxies until stopped; every error is kept.</summary>
    private static async Task<(int Ok, List<string> Errors)> SteadyTrafficAsync(int port1, int port2, CancellationToken stop)
    {
        var errors = new List<string>();
        var ok = 0;
        await using var a = await RespClient.ConnectAsync("127.0.0.1", port1, TimeSpan.FromSeconds(5));
        await using var b = await RespClient.ConnectAsync("127.0.0.1", port2, TimeSpan.FromSeconds(5));
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"steady:{i}");
            try
            {
                var set = await a.CallAsync("SET", key, "v");
                var get = await b.CallAsync("GET", key);
                if (!set.IsOk || get.AsString() != "v")
                {
                    errors.Add($"{key}: SET {set}, GET {get}");
                }
                else
                {
                    ok++;
                }
            }
            catch (Exception e) when (e is IOException or TimeoutException)
            {
                errors.Add($"{key}: {e.Message}");
                break;
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return (ok, errors);
    }

    private bool Dump(params TesseraProcess[] processes)
    {
        foreach (var process in processes)
        {
            var lines = process.Output.Split('\n');
            _log.WriteLine($"--- {process.Name} (pid {process.Pid}), last lines ---\n{string.Join('\n', lines.TakeLast(40))}");
        }

        return false;
    }

    private static async Task WaitForLeaderAsync(string url, TimeSpan timeout)
    {
        using var client = new Api.ControllerClient(new Uri(url), TimeSpan.FromSeconds(5)) { Token = TestTokens.ForController(url) };
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    return (await client.GetControllerAsync()).IsLeader;
                }
                catch (Api.ControllerApiException)
                {
                    return false;
                }
            },
            timeout,
            $"the controller at {url} leading");
    }
}
