using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Tessera.Local.Servers;
using Tessera.Proxy.Hosting;
using Tessera.Resp.Client;

namespace Tessera.Proxy.Tests.Cluster;

/// <summary>
/// The cluster face on real processes: its replies next to a real redis-server 7 cluster node's, the refusals with
/// the face off, several store-backed proxies agreeing on one table, and the order a stopping proxy leaves in.
/// </summary>
public sealed partial class ClusterFaceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Node ids, ports, bus ports and lengths replaced, so only the shape and the fixed fields remain.</summary>
    private static string Shape(byte[] reply, int port, string nodeId)
    {
        string text = Encoding.UTF8.GetString(reply).Replace(nodeId, "<id>", StringComparison.Ordinal).Replace(port.ToString(System.Globalization.CultureInfo.InvariantCulture), "<port>", StringComparison.Ordinal);
        text = BusPort().Replace(text, "@<bus>");
        return Length().Replace(text, "${kind}<n>\r\n");
    }

    [GeneratedRegex(@"@\d+")]
    private static partial Regex BusPort();

    [GeneratedRegex(@"(?<kind>[$=])\d+\r\n")]
    private static partial Regex Length();

    [Fact]
    public async Task Cluster_replies_have_the_shape_of_a_real_redis_cluster_node_in_resp2_and_resp3()
    {
        using var directory = new TempDirectory("tessera-face-shape");
        await using var redis = await RedisServerProcess.StartAsync(new RedisServerOptions
        {
            Directory = directory.Sub("node"),
            ExtraArgs = ["--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(directory.Sub("node"), "nodes.conf"), "--cluster-announce-ip", "127.0.0.1"],
        });
        await using (var admin = await redis.ConnectAsync(Timeout))
        {
            Reply.Ok(await admin.CallAsync("CLUSTER", "ADDSLOTSRANGE", "0", "16383"));
            await Eventually.TrueAsync(async () => (await admin.CallAsync("CLUSTER", "INFO")).AsString()!.StartsWith("cluster_state:ok", StringComparison.Ordinal), Timeout, "the one-node cluster reaching state ok");
        }

        using var backend = new TempDirectory("tessera-face-shape-backend");
        await using var plain = await RedisServerProcess.StartAsync(new RedisServerOptions { Directory = backend.Sub("plain") });
        var topology = new Tessera.Model.Topology.TopologyConfig
        {
            Epoch = 1,
            Namespaces =
            [
                new Tessera.Model.Topology.NamespaceConfig
                {
                    Name = "default",
                    Epoch = 1,
                    Groups = [new Tessera.Model.Topology.GroupConfig { Id = 1, Master = plain.Endpoint }],
                    Slots = [new Tessera.Model.Topology.SlotRangeConfig { From = 0, To = 1023, Group = 1 }],
                },
            ],
        };
        await using var proxy = await ProxyServer.StartAsync(new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), ClusterFace = true }, topology);

        string redisId = await MyIdAsync(redis.Port);
        string proxyId = await MyIdAsync(proxy.Endpoint.Port);
        Assert.Matches("^[0-9a-f]{40}$", proxyId);
        foreach (var hello in new[] { null, "3" })
        {
            foreach (var command in new[] { "SLOTS", "SHARDS", "NODES", "INFO" })
            {
                string expected = Shape(await RawReplyAsync(redis.Port, hello, command), redis.Port, redisId);
                string actual = Shape(await RawReplyAsync(proxy.Endpoint.Port, hello, command), proxy.Endpoint.Port, proxyId);
                Assert.True(expected == actual, $"CLUSTER {command} (RESP{hello ?? "2"}):\nredis-server: {expected}\nproxy:        {actual}");
            }
        }

        await using var client = await RespClient.ConnectAsync("127.0.0.1", proxy.Endpoint.Port, Timeout);
        Reply.Integer(12182, await client.CallAsync("CLUSTER", "KEYSLOT", "foo"));
        Reply.Ok(await client.CallAsync("ASKING"));
        Assert.Contains("cluster_enabled:1\r\n", (await client.CallAsync("INFO", "cluster")).AsString(), StringComparison.Ordinal);
        Assert.Contains("redis_mode:cluster\r\n", (await client.CallAsync("INFO")).AsString(), StringComparison.Ordinal);
        Assert.Contains("$4\r\nmode\r\n$7\r\ncluster\r\n", Encoding.UTF8.GetString(await RawReplyAsync(proxy.Endpoint.Port, null, null, "HELLO", "3")), StringComparison.Ordinal);
        Reply.Error("ERR CLUSTER ADDSLOTS is not supported through Tessera", await client.CallAsync("CLUSTER", "ADDSLOTS", "1"));
    }

    [Fact]
    public async Task With_the_face_off_cluster_commands_are_refused_as_before_and_info_says_cluster_disabled()
    {
        var cluster = new ProxyCluster(1, 0);
        await cluster.InitializeAsync();
        try
        {
            await using var client = await cluster.ConnectAsync();
            Reply.Error("ERR CLUSTER INFO is not supported through Tessera: Tessera is not a Redis Cluster; clients talk to it as to one standalone server", await client.CallAsync("CLUSTER", "INFO"));
            Reply.Error("ERR CLUSTER SLOTS is not supported through Tessera: Tessera is not a Redis Cluster", await client.CallAsync("CLUSTER", "SLOTS"));
            Reply.Error("ERR ASKING is not supported through Tessera: Tessera is not a Redis Cluster", await client.CallAsync("ASKING"));
            Assert.Contains("cluster_enabled:0\r\n", (await client.CallAsync("INFO", "cluster")).AsString(), StringComparison.Ordinal);
            Assert.Contains("redis_mode:standalone\r\n", (await client.CallAsync("INFO", "server")).AsString(), StringComparison.Ordinal);
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Proxies_answer_one_table_and_a_leave_or_a_join_moves_only_that_proxys_ranges()
    {
        await using var face = await FaceCluster.StartAsync(proxies: 3);
        var before = await SlotOwnersAsync(face.Ports[0]);
        foreach (int port in face.Ports)
        {
            Assert.Equal(before, await SlotOwnersAsync(port));
            Assert.Equal(await RawReplyAsync(face.Ports[0], null, "SLOTS"), await RawReplyAsync(port, null, "SLOTS"));
        }

        Assert.Equal(face.Ports.Order(), before.Distinct().Order());

        int leaver = face.Ports[1];
        await face.StopProxyAsync(leaver);
        await face.WaitForAgreementAsync();
        var after = await SlotOwnersAsync(face.Ports[0]);
        Assert.Equal(after, await SlotOwnersAsync(face.Ports[1]));
        for (int slot = 0; slot < before.Length; slot++)
        {
            if (before[slot] != leaver)
            {
                Assert.Equal(before[slot], after[slot]);
            }
        }

        var joiner = await face.StartProxyAsync();
        await face.WaitForAgreementAsync();
        var rejoined = await SlotOwnersAsync(face.Ports[0]);
        for (int slot = 0; slot < before.Length; slot++)
        {
            Assert.True(rejoined[slot] == after[slot] || rejoined[slot] == joiner.Endpoint.Port, $"slot {slot} moved from {after[slot]} to {rejoined[slot]}, not to the joining proxy");
        }

        Assert.Contains(joiner.Endpoint.Port, rejoined);
        Assert.Contains("cluster_known_nodes:3\r\n", Encoding.UTF8.GetString(await RawReplyAsync(joiner.Endpoint.Port, null, "INFO")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopping_proxy_leaves_the_others_tables_before_it_stops_serving()
    {
        await using var face = await FaceCluster.StartAsync(proxies: 2);
        int stays = face.Ports[0], leaves = face.Ports[1];
        var leaving = face.Proxies[1];
        await using var connected = await RespClient.ConnectAsync("127.0.0.1", leaves, Timeout);
        Reply.Ok(await connected.CallAsync("SET", "face:stop", "1"));

        var stopping = face.StopProxyAsync(leaves);
        await Eventually.TrueAsync(async () => (await FaceCluster.ListedPortsAsync(stays)).SequenceEqual([stays]), Timeout, "the remaining proxy dropping the stopping one");

        // Dropped from the other's table, and still serving its clients (it drains only after its grace).
        Assert.False(stopping.IsCompleted, "the proxy had already stopped when the other dropped it");
        Reply.Text("1", await connected.CallAsync("GET", "face:stop"));
        Assert.Equal([stays], await FaceCluster.ListedPortsAsync(leaves));
        await stopping.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_fenced_proxy_leaves_its_own_table_until_it_registers_again()
    {
        using var directory = new TempDirectory("tessera-face-fence");
        await using var cluster = await Tessera.Local.Clusters.LocalCluster.StartAsync(new Tessera.Local.Clusters.LocalClusterOptions { Directory = directory.Sub("redis"), Groups = 1, Replicas = 0 });
        await using var etcd = await Tessera.Local.Etcd.EtcdCluster.StartAsync(1);
        await using (var store = Tessera.Store.StoreFactory.Open(etcd.Url))
        {
            var ns = cluster.Topology.Namespaces[0] with { Open = true, Epoch = 1 };
            await store.PutAsync(Tessera.Store.StorePaths.Namespace(ns.Name), System.Text.Json.JsonSerializer.Serialize(ns, Tessera.Model.Api.TesseraJson.Options));
        }

        var options = new ProxyOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), LeaseTtl = TimeSpan.FromSeconds(2), ClusterFace = true };
        await using var a = await ProxyServer.StartWithStoreAsync(options, etcd.Url);
        await using var b = await ProxyServer.StartWithStoreAsync(options, etcd.Url);
        int[] both = [.. new[] { a.Endpoint.Port, b.Endpoint.Port }.Order()];
        await Eventually.TrueAsync(async () => (await FaceCluster.ListedPortsAsync(a.Endpoint.Port)).SequenceEqual(both), Timeout, "proxy a listing both");

        // The store goes away: each proxy fences itself and then lists only the other (its clients should go there).
        etcd.Members[0].Kill();
        await Eventually.TrueAsync(() => a.Fenced && b.Fenced, Timeout, "both proxies fencing themselves");
        Assert.Equal([b.Endpoint.Port], await FaceCluster.ListedPortsAsync(a.Endpoint.Port));
        Assert.Equal([a.Endpoint.Port], await FaceCluster.ListedPortsAsync(b.Endpoint.Port));

        etcd.Members[0].Restart();
        await Eventually.TrueAsync(async () => !a.Fenced && (await FaceCluster.ListedPortsAsync(a.Endpoint.Port)).SequenceEqual(both), TimeSpan.FromSeconds(20), "proxy a serving again and listing both");
    }

    private static async Task<string> MyIdAsync(int port)
    {
        await using var client = await RespClient.ConnectAsync("127.0.0.1", port, Timeout);
        return (await client.CallAsync("CLUSTER", "MYID")).AsString()!;
    }

    /// <summary>The exact bytes of CLUSTER <paramref name="command"/> (after HELLO <paramref name="hello"/> when given), or of <paramref name="args"/>.</summary>
    private static async Task<byte[]> RawReplyAsync(int port, string? hello, string? command, params string[] args)
    {
        await using var connection = await RawConnection.ConnectAsync(port);
        if (hello is not null)
        {
            await connection.SendAsync(RawConnection.Command("HELLO", hello));
            await connection.ReadBytesAsync(Timeout);
        }

        await connection.SendAsync(command is null ? RawConnection.Command(args) : RawConnection.Command("CLUSTER", command));
        return await connection.ReadBytesAsync(Timeout);
    }

    /// <summary>The port CLUSTER SLOTS names for each of the 16384 slots (0 for none).</summary>
    private static async Task<int[]> SlotOwnersAsync(int port)
    {
        await using var client = await RespClient.ConnectAsync("127.0.0.1", port, Timeout);
        var owners = new int[16384];
        foreach (var range in (await client.CallAsync("CLUSTER", "SLOTS")).Items!)
        {
            var items = range.Items!;
            for (long slot = items[0].Integer; slot <= items[1].Integer; slot++)
            {
                owners[slot] = (int)items[2].Items![1].Integer;
            }
        }

        Assert.DoesNotContain(0, owners);
        return owners;
    }
}
