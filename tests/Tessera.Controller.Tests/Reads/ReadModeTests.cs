using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Reads;

/// <summary>
/// Read modes on real processes (architecture §10): which server answers a read is read from each redis-server's own
/// INFO commandstats, never from the proxy's word.
/// </summary>
public sealed class ReadModeTests
{
    private const int Reads = 200;

    [Fact]
    public async Task Each_read_mode_sends_reads_where_it_says_and_writes_to_masters()
    {
        await using var cluster = await ReadCluster.StartAsync();
        await cluster.WaitFreshAsync(2, 2);
        var writer = await cluster.ConnectAsync(0);
        var keys = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            var key = ReadCluster.KeyOf(1 + (i % 2), i);
            keys.Add(key);
            Assert.True((await writer.CallAsync("SET", key, "v" + i)).IsOk);
        }

        Assert.Equal(2, (await writer.CallAsync("WAIT", "2", "5000")).AsInt64());

        // master (the default): replicas get nothing.
        await cluster.ResetStatsAsync();
        await ReadAllAsync(await cluster.ConnectAsync(0), keys);
        Assert.Equal(Reads, await ReadCluster.CallsAsync(cluster.Master(1), "get") + await ReadCluster.CallsAsync(cluster.Master(2), "get"));
        Assert.Equal(0, await ReplicaGetsAsync(cluster));

        // prefer-replica: every read at a replica, none at the masters; writes still at the masters.
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.PreferReplica, ReadYourWritesMs: 0));
        await cluster.ResetStatsAsync();
        var sessions = new List<RawConnection>();
        for (int s = 0; s < 4; s++)
        {
            sessions.Add(await cluster.ConnectAsync(0));
        }

        foreach (var session in sessions)
        {
            await ReadAllAsync(session, keys, Reads / sessions.Count);
        }

        Assert.Equal(0, await ReadCluster.CallsAsync(cluster.Master(1), "get") + await ReadCluster.CallsAsync(cluster.Master(2), "get"));
        Assert.Equal(Reads, await ReplicaGetsAsync(cluster));

        // MGET over both groups: each group's part at one of its replicas.
        var mget = await sessions[0].CallAsync(["MGET", .. keys]);
        Assert.Equal(keys.Select((_, i) => "v" + i), mget.Items!.Select(static v => v.AsString()));
        Assert.Equal(0, await ReadCluster.CallsAsync(cluster.Master(1), "mget") + await ReadCluster.CallsAsync(cluster.Master(2), "mget"));
        Assert.Equal(2, await ReplicaCallsAsync(cluster, "mget"));

        Assert.True((await writer.CallAsync("SET", keys[0], "changed")).IsOk);
        Assert.Equal(1, await ReadCluster.CallsAsync(cluster.Master(1), "set") + await ReadCluster.CallsAsync(cluster.Master(2), "set"));

        // Inside MULTI, scripts other than EVAL_RO, and after READWRITE: the master.
        await cluster.ResetStatsAsync();
        var multi = await cluster.ConnectAsync(0);
        Assert.True((await multi.CallAsync("MULTI")).IsOk);
        await multi.CallAsync("GET", keys[0]);
        Assert.Single((await multi.CallAsync("EXEC")).Items!);
        Assert.Equal("changed", (await multi.CallAsync("EVAL", "return redis.call('GET', KEYS[1])", "1", keys[0])).AsString());
        Assert.True((await multi.CallAsync("READWRITE")).IsOk);
        await multi.CallAsync("GET", keys[1]);
        Assert.Equal(0, await ReplicaGetsAsync(cluster) + await ReplicaCallsAsync(cluster, "eval"));
        Assert.True((await multi.CallAsync("READONLY")).IsOk);
        Assert.Equal("changed", (await multi.CallAsync("EVAL_RO", "return redis.call('GET', KEYS[1])", "1", keys[0])).AsString());
        Assert.Equal(1, await ReplicaCallsAsync(cluster, "eval_ro"));

        // nearest: the zone-a proxy reads zone-a replicas only, the zone-b proxy zone-b replicas only.
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.Nearest));
        await cluster.ResetStatsAsync();
        await ReadAllAsync(await cluster.ConnectAsync(0), keys);
        Assert.Equal(Reads, await ReadCluster.CallsAsync(cluster.Replica(1, 0), "get") + await ReadCluster.CallsAsync(cluster.Replica(2, 0), "get"));
        await cluster.ResetStatsAsync();
        await ReadAllAsync(await cluster.ConnectAsync(1), keys);
        Assert.Equal(Reads, await ReadCluster.CallsAsync(cluster.Replica(1, 1), "get") + await ReadCluster.CallsAsync(cluster.Replica(2, 1), "get"));

        // nearest with no replica in the zone: the fallback. Moving zone b's replicas to zone c leaves proxy b none.
        await cluster.Client.SetServerZoneAsync(ReadCluster.Namespace, 1, cluster.Replica(1, 1).Endpoint, "c");
        await cluster.Client.SetServerZoneAsync(ReadCluster.Namespace, 2, cluster.Replica(2, 1).Endpoint, "c");
        await cluster.SetReadsAsync(new ReadSettingsChange(Fallback: ReadFallback.Master));
        var zoneB = await cluster.ConnectAsync(1);
        await Eventually.TrueAsync(
            async () =>
            {
                await cluster.ResetStatsAsync();
                await zoneB.CallAsync("GET", keys[0]);
                return await ReadCluster.CallsAsync(cluster.Master(1), "get") + await ReadCluster.CallsAsync(cluster.Master(2), "get") == 1;
            },
            TimeSpan.FromSeconds(10),
            "nearest reads of a zone without replicas falling back to the master");
        await cluster.ResetStatsAsync();
        await ReadAllAsync(zoneB, keys);
        Assert.Equal(0, await ReplicaGetsAsync(cluster));

        await cluster.SetReadsAsync(new ReadSettingsChange(Fallback: ReadFallback.ReplicasThenMaster));
        await Eventually.TrueAsync(
            async () =>
            {
                await cluster.ResetStatsAsync();
                await zoneB.CallAsync("GET", keys[0]);
                return await ReplicaGetsAsync(cluster) == 1;
            },
            TimeSpan.FromSeconds(10),
            "nearest reads falling back to another zone's replica");

        // replica: reads at replicas only; READWRITE still opts a connection out.
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.Replica));
        await cluster.ResetStatsAsync();
        await ReadAllAsync(await cluster.ConnectAsync(0), keys);
        Assert.Equal(Reads, await ReplicaGetsAsync(cluster));
    }

    [Fact]
    public async Task Read_your_writes_keeps_a_writers_reads_at_the_master_and_readonly_opts_in()
    {
        await using var cluster = await ReadCluster.StartAsync();
        await cluster.WaitFreshAsync(2, 2);
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.PreferReplica, ReadYourWritesMs: 2000));
        await cluster.ResetStatsAsync();

        // A writer that reads back what it wrote never misses it: its reads of the groups it wrote stay at the master.
        var session = await cluster.ConnectAsync(0);
        for (int i = 0; i < 300; i++)
        {
            var key = ReadCluster.KeyOf(1 + (i % 2), 1000 + i);
            Assert.True((await session.CallAsync("SET", key, "w" + i)).IsOk);
            Assert.Equal("w" + i, (await session.CallAsync("GET", key)).AsString());
        }

        Assert.Equal(0, await ReplicaGetsAsync(cluster));

        // Once the time has passed without a write, its reads go to replicas again.
        await Task.Delay(2100);
        await session.CallAsync("GET", ReadCluster.KeyOf(1, 1000));
        Assert.Equal(1, await ReplicaGetsAsync(cluster));

        // In master mode, READONLY opts one connection in (as prefer-replica); others stay at the masters.
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.Master));
        await cluster.ResetStatsAsync();
        var plain = await cluster.ConnectAsync(0);
        var optedIn = await cluster.ConnectAsync(0);
        Assert.True((await optedIn.CallAsync("READONLY")).IsOk);
        await plain.CallAsync("GET", "x");
        Assert.Equal(0, await ReplicaGetsAsync(cluster));
        await optedIn.CallAsync("GET", "x");
        Assert.Equal(1, await ReplicaGetsAsync(cluster));

        // RESET ends READONLY, as on Redis.
        Assert.Equal("RESET", (await optedIn.CallAsync("RESET")).AsString());
        Assert.True((await optedIn.CallAsync("AUTH", ReadCluster.Namespace, "any")).IsOk);
        await optedIn.CallAsync("GET", "x");
        Assert.Equal(1, await ReplicaGetsAsync(cluster));
    }

    private static async Task ReadAllAsync(RawConnection connection, IReadOnlyList<string> keys, int count = Reads)
    {
        for (int i = 0; i < count; i++)
        {
            var reply = await connection.CallAsync("GET", keys[i % keys.Count]);
            Assert.False(reply.IsError, reply.ToString());
            Assert.NotNull(reply.AsString());
        }
    }

    private static Task<long> ReplicaGetsAsync(ReadCluster cluster) => ReplicaCallsAsync(cluster, "get");

    private static async Task<long> ReplicaCallsAsync(ReadCluster cluster, string command)
    {
        long sum = 0;
        for (int group = 1; group <= 2; group++)
        {
            for (int r = 0; r < 2; r++)
            {
                sum += await ReadCluster.CallsAsync(cluster.Replica(group, r), command);
            }
        }

        return sum;
    }
}
