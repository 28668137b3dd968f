using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Tessera.Local.Etcd;
using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;

namespace Tessera.Cli.Tests.Verbs;

/// <summary>
/// The real `tessera up` process, end to end: controller and proxy on a store, servers made into groups by the
/// controller, traffic, the admin verbs against it, SIGTERM, nothing left behind. Every run uses free ports.
/// </summary>
public sealed class UpVerbTests : IDisposable
{
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AdminVerbBound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new("tessera-up-test");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Up_builds_groups_through_the_controller_serves_traffic_and_SIGTERM_stops_everything()
    {
        var ports = Ports.Find();
        using var cli = TesseraProcess.Start(["up", "--groups", "2", "--replicas", "1", .. ports.Arguments, "--dir", _directory.Path]);

        var ready = await cli.WaitForLineAsync("ready", ReadyBound);
        Assert.Contains($"redis-cli -p {ports.Proxy}", ready, StringComparison.Ordinal);
        Assert.Contains($"tessera status --controller {ports.ControllerUrl} --token-file {Path.Combine(_directory.Path, "admin.token")}", ready, StringComparison.Ordinal);
        Assert.Contains("tessera group add default 2 127.0.0.1:", cli.Output, StringComparison.Ordinal);
        Assert.Contains("tessera slots assign default 512-1023 2", cli.Output, StringComparison.Ordinal);

        // The admin verb, as a process, against the controller `up` started: both groups, roles as built, the proxy in step.
        var status = await StatusAsync(ports.ControllerUrl, _directory.Path);
        Assert.True(status.Controller.IsLeader);
        var ns = Assert.Single(status.Namespaces);
        Assert.Equal("default", ns.Name);
        Assert.Equal(1024, ns.AssignedSlots);
        Assert.Equal([1, 2], ns.Groups.Select(g => g.Id));
        Assert.All(ns.Groups, g => Assert.Equal(512, g.Slots));
        Assert.All(ns.Groups, g => Assert.Equal(["master", "replica"], g.Servers.Select(s => s.Role)));
        Assert.All(ns.Groups.SelectMany(g => g.Servers), s => Assert.True(s.Problem is null, $"{s.Address}: {s.Problem}"));
        var proxy = Assert.Single(status.Proxies);
        Assert.Equal($"127.0.0.1:{ports.Proxy}", proxy.Proxy.Address);
        Assert.True(proxy.Reachable);
        var served = Assert.Single(proxy.Namespaces);
        Assert.True(served.Matches, $"proxy serves epoch {served.Epoch} signature {served.Signature}; store has epoch {ns.Epoch} signature {ns.Signature}");
        Assert.Equal(ns.Epoch, served.Epoch);
        Assert.Equal(ns.Signature, served.Signature);

        // Every server is one `up` started (its PID is in the summary), and each replica was made one by the controller.
        var pids = new List<int>();
        foreach (var group in ns.Groups)
        {
            var master = group.Servers[0].Address;
            foreach (var server in group.Servers)
            {
                var pid = await ServerPidAsync(server.Address);
                pids.Add(pid);
                Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), cli.Output, StringComparison.Ordinal);
            }

            await using var replica = await RespClient.ConnectAsync(group.Servers[1].Address);
            var replication = (await replica.CallAsync("INFO", "replication")).AsString()!;
            Assert.Equal("slave", ServerInfo.Parse(replication)["role"]);
            Assert.Equal("up", ServerInfo.Parse(replication)["master_link_status"]);
            Assert.Equal(master, $"{ServerInfo.Parse(replication)["master_host"]}:{ServerInfo.Parse(replication)["master_port"]}");
        }

        // A second `up` on the same directory is refused before it starts anything.
        using (var second = TesseraProcess.Start(["up", .. Ports.Find().Arguments, "--dir", _directory.Path]))
        {
            Assert.True(await second.WaitForExitAsync(ExitBound), "the second tessera up did not exit");
            Assert.Equal(2, second.ExitCode);
            Assert.Contains("Another `tessera up` is running with --dir", second.Output, StringComparison.Ordinal);
        }

        await using (var client = await RespClient.ConnectAsync("127.0.0.1", ports.Proxy))
        {
            Assert.Equal("OK", (await client.CallAsync("SET", "user:1", "alice")).AsString());
            Assert.Equal("alice", (await client.CallAsync("GET", "user:1")).AsString());

            // 40 keys spread over both groups by slot; MSET, MGET and DEL are split and merged by the proxy.
            var keys = Enumerable.Range(0, 40).Select(i => $"key:{i}").ToArray();
            var mset = new List<object> { "MSET" };
            foreach (var key in keys)
            {
                mset.Add(key);
                mset.Add("v-" + key);
            }

            Assert.Equal("OK", (await client.CallAsync([.. mset])).AsString());
            var values = await client.CallAsync(["MGET", .. keys]);
            Assert.Equal(keys.Select(k => "v-" + k), values.Items!.Select(v => v.AsString()));

            foreach (var group in ns.Groups)
            {
                await using var master = await RespClient.ConnectAsync(group.Servers[0].Address);
                var onMaster = (await master.CallAsync("DBSIZE")).Integer;
                Assert.True(onMaster > 0, $"group {group.Id} got no keys");
                await using var replica = await RespClient.ConnectAsync(group.Servers[1].Address);
                Assert.True(await EventuallyAsync(async () => (await replica.CallAsync("DBSIZE")).Integer == onMaster, TimeSpan.FromSeconds(10)),
                    $"the replica of group {group.Id} did not reach the master's {onMaster} keys");
            }

            Assert.Equal(41, (await client.CallAsync(["DEL", "user:1", .. keys])).Integer);
            Assert.Equal(0, (await client.CallAsync(["EXISTS", "user:1", .. keys])).Integer);
        }

        cli.Signal("TERM");

        Assert.True(await cli.WaitForExitAsync(ExitBound), $"tessera up did not exit within {ExitBound.TotalSeconds} s of SIGTERM. Output:\n{cli.Output}");
        Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}. Output:\n{cli.Output}");
        Assert.Contains("Stopped", cli.Output, StringComparison.Ordinal);
        foreach (var pid in pids)
        {
            Assert.True(await ProcessProbe.WaitGoneAsync(pid, TimeSpan.FromSeconds(5)), $"redis-server pid {pid} still runs after tessera up exited");
        }

        foreach (var port in ports.All.Concat(ns.Groups.SelectMany(g => g.Servers).Select(s => PortOf(s.Address))))
        {
            Assert.True(await FreePort.WaitUntilFreeAsync(port, TimeSpan.FromSeconds(5)), $"port {port} is still busy after tessera up exited");
        }
    }

    [Fact]
    public async Task Up_after_a_killed_run_stops_the_servers_it_left_behind_and_starts_on_a_fresh_store()
    {
        var ports = Ports.Find();
        List<int> orphans;
        using (var first = TesseraProcess.Start(["up", "--groups", "1", "--replicas", "1", .. ports.Arguments, "--dir", _directory.Path]))
        {
            await first.WaitForLineAsync("ready", ReadyBound);
            orphans = await ServerPidsAsync(await StatusAsync(ports.ControllerUrl, _directory.Path));

            // SIGKILL: no chance to stop its servers, which keep running without a parent, nor to clean up its
            // store (leader lock, proxy registration, namespace naming those servers).
            first.Signal("KILL");
            Assert.True(await first.WaitForExitAsync(ExitBound));
        }

        try
        {
            Assert.All(orphans, pid => Assert.True(ProcessProbe.IsAlive(pid), $"pid {pid} should outlive the killed run"));

            using var second = TesseraProcess.Start(["up", "--groups", "1", "--replicas", "1", .. ports.Arguments, "--dir", _directory.Path]);
            await second.WaitForLineAsync("ready", ReadyBound);

            Assert.Contains("that an earlier run left", second.Output, StringComparison.Ordinal);
            foreach (var pid in orphans)
            {
                Assert.False(ProcessProbe.IsAlive(pid), $"leftover pid {pid} still runs. Output:\n{second.Output}");
            }

            var status = await StatusAsync(ports.ControllerUrl, _directory.Path);
            Assert.True(status.Controller.IsLeader);
            Assert.Equal(1, Assert.Single(Assert.Single(status.Namespaces).Groups).Id);
            Assert.True(Assert.Single(status.Proxies).Namespaces.Single().Matches);
            var current = await ServerPidsAsync(status);
            Assert.Empty(current.Intersect(orphans));

            second.Signal("TERM");
            Assert.True(await second.WaitForExitAsync(ExitBound), second.Output);
            foreach (var pid in current)
            {
                Assert.True(await ProcessProbe.WaitGoneAsync(pid, TimeSpan.FromSeconds(5)));
            }
        }
        finally
        {
            // If the second run did not clean up, do not leave the orphans of the first to the machine.
            foreach (var pid in orphans.Where(ProcessProbe.IsAlive))
            {
                using var kill = System.Diagnostics.Process.Start("kill", $"-KILL {pid}");
                kill.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }
    }

    [Fact]
    public async Task Up_on_an_etcd_store_serves_and_a_rerun_on_that_store_needs_reset()
    {
        await using var etcd = await EtcdCluster.StartAsync(1);
        var ports = Ports.Find();
        int firstEpoch;
        using (var first = TesseraProcess.Start(["up", "--groups", "2", "--replicas", "1", .. ports.Arguments, "--store", etcd.Url, "--dir", Path.Combine(_directory.Path, "first")]))
        {
            await first.WaitForLineAsync("ready", ReadyBound);
            var status = await StatusAsync(ports.ControllerUrl, Path.Combine(_directory.Path, "first"));
            Assert.Equal(etcd.Url, status.Controller.Store);
            var ns = Assert.Single(status.Namespaces);
            Assert.Equal(2, ns.Groups.Count);
            Assert.True(Assert.Single(status.Proxies).Namespaces.Single().Matches);
            firstEpoch = (int)ns.Epoch;

            await using (var client = await RespClient.ConnectAsync("127.0.0.1", ports.Proxy))
            {
                Assert.Equal("OK", (await client.CallAsync("MSET", "user:1", "alice", "user:10", "bob")).AsString());
                Assert.Equal(["alice", "bob"], (await client.CallAsync("MGET", "user:1", "user:10")).Items!.Select(v => v.AsString()));
            }

            first.Signal("TERM");
            Assert.True(await first.WaitForExitAsync(ExitBound), first.Output);
            Assert.Equal(0, first.ExitCode);
        }

        // The store still holds namespace 'default', naming servers that are gone: refused, and nothing started.
        // It has tokens too, so no new admin token is written: each later run is given the first run's.
        var refusedDirectory = Path.Combine(_directory.Path, "refused");
        var resetDirectory = Path.Combine(_directory.Path, "reset");
        foreach (var later in new[] { refusedDirectory, resetDirectory })
        {
            Directory.CreateDirectory(later);
            File.Copy(Path.Combine(_directory.Path, "first", "admin.token"), Path.Combine(later, "admin.token"));
        }

        using (var refused = TesseraProcess.Start(["up", .. Ports.Find().Arguments, "--store", etcd.Url, "--dir", refusedDirectory]))
        {
            Assert.True(await refused.WaitForExitAsync(ExitBound), refused.Output);
            Assert.True(refused.ExitCode == 2, $"exit code {refused.ExitCode}. Output:\n{refused.Output}");
            Assert.Contains("already has namespace 'default'", refused.Output, StringComparison.Ordinal);
            Assert.Contains("--reset", refused.Output, StringComparison.Ordinal);
            Assert.Empty(Directory.GetDirectories(refusedDirectory));
        }

        var again = Ports.Find();
        using var reset = TesseraProcess.Start(["up", "--groups", "1", "--replicas", "0", .. again.Arguments, "--store", etcd.Url, "--reset", "--dir", resetDirectory]);
        await reset.WaitForLineAsync("ready", ReadyBound);
        Assert.Contains("tessera namespace remove default --force", reset.Output, StringComparison.Ordinal);
        var rebuilt = Assert.Single((await StatusAsync(again.ControllerUrl, resetDirectory)).Namespaces);
        Assert.Equal(1, Assert.Single(rebuilt.Groups).Id);
        await using (var client = await RespClient.ConnectAsync("127.0.0.1", again.Proxy))
        {
            Assert.Equal("OK", (await client.CallAsync("SET", "user:1", "carol")).AsString());
            Assert.Equal("carol", (await client.CallAsync("GET", "user:1")).AsString());
        }

        reset.Signal("TERM");
        Assert.True(await reset.WaitForExitAsync(ExitBound), reset.Output);
        Assert.True(reset.ExitCode == 0, $"exit code {reset.ExitCode}; first run ended at epoch {firstEpoch}. Output:\n{reset.Output}");
    }

    [Fact]
    public async Task Up_on_a_busy_port_says_so_and_starts_nothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var busy = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var ports = Ports.Find();

        using var cli = TesseraProcess.Start("up", "--port", ports.Proxy.ToString(CultureInfo.InvariantCulture), "--controller-port", busy,
            "--admin-port", ports.Admin.ToString(CultureInfo.InvariantCulture), "--dir", _directory.Path);

        Assert.True(await cli.WaitForExitAsync(ExitBound), "tessera up did not exit");
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains($"Port {busy} on 127.0.0.1 is already in use", cli.Output, StringComparison.Ordinal);
        Assert.Contains("--controller-port", cli.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory.Path));
    }

    /// <summary>`tessera status --json` run as a process against <paramref name="controllerUrl"/>, with the admin token `up` wrote in <paramref name="upDirectory"/>.</summary>
    private static async Task<StatusReport> StatusAsync(string controllerUrl, string upDirectory)
    {
        using var status = TesseraProcess.Start("status", "--json", "--controller", controllerUrl, "--token-file", Path.Combine(upDirectory, "admin.token"));
        Assert.True(await status.WaitForExitAsync(AdminVerbBound), $"tessera status did not exit. Output:\n{status.Output}");
        Assert.True(status.ExitCode == 0, $"tessera status: exit code {status.ExitCode}. Output:\n{status.Output}");

        // Let the output reader catch up with the exited process before reading its lines.
        await Task.Delay(100);
        var json = string.Join('\n', status.Output.Split('\n').Where(l => !l.StartsWith("err: ", StringComparison.Ordinal)));
        return JsonSerializer.Deserialize<StatusReport>(json, TesseraJson.Options) ?? throw new Xunit.Sdk.XunitException("tessera status --json printed null");
    }

    private static async Task<List<int>> ServerPidsAsync(StatusReport status)
    {
        var pids = new List<int>();
        foreach (var server in status.Namespaces.SelectMany(n => n.Groups).SelectMany(g => g.Servers))
        {
            pids.Add(await ServerPidAsync(server.Address));
        }

        return pids;
    }

    /// <summary>The server's own answer to "which process are you".</summary>
    private static async Task<int> ServerPidAsync(string address)
    {
        await using var server = await RespClient.ConnectAsync(address);
        var info = (await server.CallAsync("INFO", "server")).AsString()!;
        return int.Parse(ServerInfo.Parse(info)["process_id"]!, CultureInfo.InvariantCulture);
    }

    private static int PortOf(string address) => ServerAddress.Parse(address).Port;

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>Free loopback ports for the proxy, its admin API and the controller, and the `up` options naming them.</summary>
    private sealed record Ports(int Proxy, int Admin, int Controller)
    {
        public string ControllerUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Controller}");

        public IEnumerable<int> All => [Proxy, Admin, Controller];

        public string[] Arguments =>
        [
            "--port", Proxy.ToString(CultureInfo.InvariantCulture),
            "--admin-port", Admin.ToString(CultureInfo.InvariantCulture),
            "--controller-port", Controller.ToString(CultureInfo.InvariantCulture),
        ];

        public static Ports Find()
        {
            var ports = FreePort.FindMany(3);
            return new Ports(ports[0], ports[1], ports[2]);
        }
    }
}
