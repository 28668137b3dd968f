using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tessera.Cli.Tests.Support;
using Tessera.Local.Clusters;
using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Resp.Servers;

namespace Tessera.Cli.Tests.Local;

public sealed class LocalClusterTests : IDisposable
{
    private readonly TempDirectory _directory = new("tessera-cluster-test");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Two_groups_with_a_replica_each_replicate_and_stop_completely()
    {
        var cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = _directory.Path, Groups = 2, Replicas = 1 });
        var pids = cluster.Servers.Select(s => s.Pid).ToArray();
        var ports = cluster.Servers.Select(s => s.Port).ToArray();
        try
        {
            Assert.Equal(2, cluster.Groups.Count);
            Assert.Equal(4, cluster.Servers.Count);
            Assert.Equal(4, ports.Distinct().Count());
            Assert.True(Directory.Exists(Path.Combine(_directory.Path, "group1-master")));
            Assert.True(Directory.Exists(Path.Combine(_directory.Path, "group2-replica1")));

            foreach (var group in cluster.Groups)
            {
                var replica = Assert.Single(group.Replicas);
                await using var replicaClient = await replica.ConnectAsync();
                var replication = (await replicaClient.CallAsync("INFO", "replication")).AsString()!;
                Assert.Equal("slave", ServerInfo.Parse(replication)["role"]);
                Assert.Equal("up", ServerInfo.Parse(replication)["master_link_status"]);
                Assert.Equal(group.Master.Port.ToString(CultureInfo.InvariantCulture), ServerInfo.Parse(replication)["master_port"]);

                // A write on the master reaches the replica.
                await using var masterClient = await group.Master.ConnectAsync();
                Assert.Equal("OK", (await masterClient.CallAsync("SET", "probe", "g" + group.Id)).AsString());
                await WaitForValueAsync(replicaClient, "probe", "g" + group.Id);
            }

            var ns = Assert.Single(cluster.Topology.Namespaces);
            Assert.Equal("default", ns.Name);
            Assert.Equal([1, 2], ns.Groups.Select(g => g.Id));
            Assert.Equal(cluster.Groups[0].Master.Endpoint, ns.Groups[0].Master);
            Assert.Equal([cluster.Groups[1].Replicas[0].Endpoint], ns.Groups[1].Replicas);
            Assert.Equal([(0, 511, 1), (512, 1023, 2)], ns.Slots.Select(s => (s.From, s.To, s.Group)));
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        foreach (var pid in pids)
        {
            Assert.False(ProcessProbe.IsAlive(pid), $"redis-server pid {pid} is still running after dispose");
        }

        foreach (var port in ports)
        {
            Assert.True(await FreePort.WaitUntilFreeAsync(port, TimeSpan.FromSeconds(5)), $"port {port} still busy after dispose");
        }
    }

    [Fact]
    public async Task Base_port_gives_consecutive_ports_in_group_order()
    {
        var basePort = FindFreeRun(3);
        await using var cluster = await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Directory = _directory.Path, Groups = 3, Replicas = 0, BasePort = basePort, Namespace = "orders",
        });

        Assert.Equal([basePort, basePort + 1, basePort + 2], cluster.Servers.Select(s => s.Port));
        Assert.Equal("orders", cluster.Topology.Namespaces[0].Name);
        Assert.All(cluster.Groups, g => Assert.Empty(g.Replicas));
    }

    [Fact]
    public async Task A_busy_base_port_range_is_refused_before_anything_starts()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var busy = ((IPEndPoint)listener.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<RedisServerException>(() => LocalCluster.StartAsync(new LocalClusterOptions
        {
            Directory = _directory.Path, Groups = 1, Replicas = 1, BasePort = busy - 1,
        }));

        Assert.Contains(busy.ToString(CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "group1-master")));
    }

    [Fact]
    public async Task A_failing_server_stops_the_ones_already_started()
    {
        var options = new LocalClusterOptions
        {
            Directory = _directory.Path, Groups = 2, Replicas = 0, ServerArgs = ["--no-such-option", "1"],
        };

        var error = await Assert.ThrowsAsync<RedisServerException>(() => LocalCluster.StartAsync(options));

        Assert.Contains("no-such-option", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_start_leaves_nothing_running()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        LocalCluster? cluster = null;
        try
        {
            cluster = await LocalCluster.StartAsync(new LocalClusterOptions { Directory = _directory.Path, Groups = 2, Replicas = 1 }, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // Expected on most machines; on a very fast one the cluster may be up before the token fires.
        }

        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        // Every server writes its pid into its log's first lines; none may still run.
        foreach (var log in Directory.GetFiles(_directory.Path, "redis.log", SearchOption.AllDirectories))
        {
            var match = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(log), @"pid=(\d+)");
            if (match.Success)
            {
                var pid = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.True(await ProcessProbe.WaitGoneAsync(pid, TimeSpan.FromSeconds(10)), $"pid {pid} from {log} still runs");
            }
        }
    }

    [Theory]
    [InlineData(1, new[] { 0, 1023 })]
    [InlineData(2, new[] { 0, 511, 512, 1023 })]
    [InlineData(3, new[] { 0, 341, 342, 682, 683, 1023 })]
    public void SplitSlots_covers_every_slot_in_contiguous_ranges(int groups, int[] bounds)
    {
        var ranges = LocalCluster.SplitSlots(groups);

        Assert.Equal(bounds, ranges.SelectMany(r => new[] { r.From, r.To }));
        Assert.Equal(Enumerable.Range(1, groups), ranges.Select(r => r.Group));
    }

    [Fact]
    public void SplitSlots_handles_one_group_per_slot()
    {
        var ranges = LocalCluster.SplitSlots(1024);

        Assert.All(ranges, r => Assert.Equal(r.From, r.To));
        Assert.Equal(1023, ranges[^1].To);
    }

    private static async Task WaitForValueAsync(Tessera.Resp.Client.RespClient client, string key, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await client.CallAsync("GET", key)).AsString() != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{key} did not reach the replica within 10 s");
            await Task.Delay(20);
        }
    }

    /// <summary>A base port with <paramref name="count"/> free ports after it.</summary>
    private static int FindFreeRun(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var start = FreePort.Find();
            if (start + count < 65535 && Enumerable.Range(start, count).All(FreePort.IsFree))
            {
                return start;
            }
        }

        throw new InvalidOperationException("no run of free ports found");
    }
}
