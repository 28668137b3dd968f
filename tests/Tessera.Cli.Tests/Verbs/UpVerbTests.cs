using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tessera.Cli.Tests.Support;
using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Model.Topology;
using Tessera.Proxy.Topology;
using Tessera.Resp.Client;

namespace Tessera.Cli.Tests.Verbs;

/// <summary>The real `tessera up` process, end to end: cluster, proxy, traffic, SIGTERM, nothing left behind.</summary>
public sealed class UpVerbTests : IDisposable
{
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new("tessera-up-test");

    public void Dispose() => _directory.Dispose();

    /// <summary>PIDs of the servers in the topology `up` wrote, each asked for its own process id.</summary>
    private async Task<List<int>> ServerPidsAsync()
    {
        var topology = TopologyFile.Load(Path.Combine(_directory.Path, "topology.yaml"));
        var pids = new List<int>();
        foreach (var endpoint in topology.Namespaces.SelectMany(n => n.Groups).SelectMany(g => g.Replicas.Prepend(g.Master)))
        {
            await using var server = await RespClient.ConnectAsync(endpoint);
            var info = (await server.CallAsync("INFO", "server")).AsString()!;
            pids.Add(int.Parse(RedisInfo.Field(info, "process_id")!, CultureInfo.InvariantCulture));
        }

        return pids;
    }

    [Fact]
    public async Task Up_serves_traffic_across_groups_and_SIGTERM_stops_everything()
    {
        var port = FreePort.Find();
        using var cli = CliProcess.Start("up", "--groups", "2", "--replicas", "1", "--port", port.ToString(CultureInfo.InvariantCulture), "--dir", _directory.Path);

        var ready = await cli.WaitForLineAsync("ready", ReadyBound);
        Assert.Contains($"redis-cli -p {port}", ready, StringComparison.Ordinal);

        // The servers `up` started, from the topology it wrote; each confirmed by asking it for its PID.
        var topology = TopologyFile.Load(Path.Combine(_directory.Path, "topology.yaml"));
        var ns = Assert.Single(topology.Namespaces);
        Assert.Equal(2, ns.Groups.Count);
        var endpoints = ns.Groups.SelectMany(g => g.Replicas.Prepend(g.Master)).ToArray();
        Assert.Equal(4, endpoints.Length);
        var pids = new List<int>();
        foreach (var endpoint in endpoints)
        {
            await using var server = await RespClient.ConnectAsync(endpoint);
            var info = (await server.CallAsync("INFO", "server")).AsString()!;
            var pid = int.Parse(RedisInfo.Field(info, "process_id")!, CultureInfo.InvariantCulture);
            pids.Add(pid);
            Assert.Contains(pid.ToString(CultureInfo.InvariantCulture), cli.Output, StringComparison.Ordinal);
        }

        await using (var client = await RespClient.ConnectAsync("127.0.0.1", port))
        {
            Assert.Equal("OK", (await client.CallAsync("SET", "user:1", "alice")).AsString());
            Assert.Equal("alice", (await client.CallAsync("GET", "user:1")).AsString());

            // 40 keys spread over both groups by slot; MGET and DEL are split and merged by the proxy.
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
                await using var master = await RespClient.ConnectAsync(group.Master);
                Assert.True((await master.CallAsync("DBSIZE")).Integer > 0, $"group {group.Id} got no keys");
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

        Assert.True(await FreePort.WaitUntilFreeAsync(port, TimeSpan.FromSeconds(5)), "the proxy port is still busy");
        foreach (var endpoint in endpoints)
        {
            var serverPort = int.Parse(endpoint.Split(':')[1], CultureInfo.InvariantCulture);
            Assert.True(await FreePort.WaitUntilFreeAsync(serverPort, TimeSpan.FromSeconds(5)), $"{endpoint} is still busy");
        }
    }

    [Fact]
    public async Task Up_after_a_killed_run_stops_the_servers_it_left_behind()
    {
        var port = FreePort.Find().ToString(CultureInfo.InvariantCulture);
        List<int> orphans;
        using (var first = CliProcess.Start("up", "--groups", "1", "--replicas", "1", "--port", port, "--dir", _directory.Path))
        {
            await first.WaitForLineAsync("ready", ReadyBound);
            orphans = await ServerPidsAsync();

            // SIGKILL: no chance to stop its servers, which keep running without a parent.
            first.Signal("KILL");
            Assert.True(await first.WaitForExitAsync(ExitBound));
        }

        try
        {
            Assert.All(orphans, pid => Assert.True(ProcessProbe.IsAlive(pid), $"pid {pid} should outlive the killed run"));

            using var second = CliProcess.Start("up", "--groups", "1", "--replicas", "1", "--port", port, "--dir", _directory.Path);
            await second.WaitForLineAsync("ready", ReadyBound);

            Assert.Contains("that an earlier run left", second.Output, StringComparison.Ordinal);
            foreach (var pid in orphans)
            {
                Assert.False(ProcessProbe.IsAlive(pid), $"leftover pid {pid} still runs. Output:\n{second.Output}");
            }

            var current = await ServerPidsAsync();
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
    public async Task Up_on_a_busy_port_says_so_and_starts_nothing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        using var cli = CliProcess.Start("up", "--port", port.ToString(CultureInfo.InvariantCulture), "--dir", _directory.Path);

        Assert.True(await cli.WaitForExitAsync(ExitBound), "tessera up did not exit");
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains($"Port {port} on 127.0.0.1 is already in use", cli.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(_directory.Path));
    }
}
