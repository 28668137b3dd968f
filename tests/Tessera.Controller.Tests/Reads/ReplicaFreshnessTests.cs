using System.Diagnostics;
using Tessera.Controller.Health;
using Tessera.Controller.Servers;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Reads;

/// <summary>
/// A replica that is not fresh gets no reads, and gets them back once it is (architecture §10), on real redis-servers:
/// frozen (SIGSTOP), lagging with its link up and resyncing (the master's replication stream held back by a relay,
/// <see cref="ReplicationRelay"/>); and the rule for lag, sync, link and master on its own.
/// </summary>
public sealed class ReplicaFreshnessTests(ITestOutputHelper log)
{
    [Fact]
    public async Task A_frozen_replica_leaves_the_reads_and_comes_back_when_it_answers_again()
    {
        await using var cluster = await ReadCluster.StartAsync();
        await cluster.WaitFreshAsync(2, 2);
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.PreferReplica, ReadYourWritesMs: 0));
        var keys = Enumerable.Range(0, 10).Select(i => ReadCluster.KeyOf(1, i)).ToList();
        var writer = await cluster.ConnectAsync(0);
        foreach (var key in keys)
        {
            Assert.True((await writer.CallAsync("SET", key, key)).IsOk);
        }

        Assert.Equal(2, (await writer.CallAsync("WAIT", "2", "5000")).AsInt64());
        var readers = new List<RawConnection>();
        for (int s = 0; s < 4; s++)
        {
            readers.Add(await cluster.ConnectAsync(s % 2));
        }

        // Both replicas of group 1 serve reads while fresh.
        await cluster.ResetStatsAsync();
        await ReadAsync(readers, keys, 80);
        var frozen = cluster.Replica(1, 0);
        Assert.True(await ReadCluster.CallsAsync(frozen, "get") > 0, "the replica served reads while fresh");
        Assert.True(await ReadCluster.CallsAsync(cluster.Replica(1, 1), "get") > 0, "the other replica served reads while fresh");

        await cluster.ResetStatsAsync();
        var clock = Stopwatch.StartNew();
        ProcessProbe.Signal(frozen.Pid, "STOP");
        try
        {
            await cluster.WaitFreshAsync(1, 2);
            log.WriteLine($"a frozen replica left the reads of every proxy {clock.ElapsedMilliseconds} ms after SIGSTOP");

            // While it is not fresh, every read is answered (by the other replica), promptly, with the right value.
            clock.Restart();
            await ReadAsync(readers, keys, 200);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"200 reads took {clock.ElapsedMilliseconds} ms with one replica frozen");
        }
        finally
        {
            ProcessProbe.Signal(frozen.Pid, "CONT");
        }

        Assert.Equal(0, await ReadCluster.CallsAsync(frozen, "get"));
        Assert.Equal(200, await ReadCluster.CallsAsync(cluster.Replica(1, 1), "get"));

        // Back: fresh again, reads again.
        await cluster.WaitFreshAsync(2, 2);
        await ReadAsync(readers, keys, 80);
        Assert.True(await ReadCluster.CallsAsync(frozen, "get") > 0, "the replica serves reads again once fresh");
    }

    [Fact]
    public async Task Replica_mode_refuses_reads_of_a_group_without_fresh_replicas_rather_than_load_its_master()
    {
        await using var cluster = await ReadCluster.StartAsync();
        await cluster.WaitFreshAsync(2, 2);
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.Replica, ReadYourWritesMs: 0));
        var key1 = ReadCluster.KeyOf(1, 0);
        var key2 = ReadCluster.KeyOf(2, 0);
        var writer = await cluster.ConnectAsync(0);
        Assert.True((await writer.CallAsync("SET", key1, "one")).IsOk);
        Assert.True((await writer.CallAsync("SET", key2, "two")).IsOk);
        Assert.Equal(2, (await writer.CallAsync("WAIT", "2", "5000")).AsInt64());

        // Both replicas of group 1 stop answering (as under DEBUG SLEEP or a stalled host).
        await cluster.ResetStatsAsync();
        int[] frozen = [cluster.Replica(1, 0).Pid, cluster.Replica(1, 1).Pid];
        foreach (var pid in frozen)
        {
            ProcessProbe.Signal(pid, "STOP");
        }

        try
        {
            await cluster.WaitFreshAsync(0, 2);
            var reader = await cluster.ConnectAsync(0);
            var refused = await reader.CallAsync("GET", key1);
            Assert.True(refused.IsError, refused.ToString());
            Assert.StartsWith($"TRYAGAIN no replica of group 1 of namespace '{ReadCluster.Namespace}' is fresh enough to serve reads (read mode replica)", refused.AsString(), StringComparison.Ordinal);
            Assert.Equal("two", (await reader.CallAsync("GET", key2)).AsString());
            Assert.Equal(0, await ReadCluster.CallsAsync(cluster.Master(1), "get"));

            // Writes still work, at the master; prefer-replica would read it there.
            Assert.True((await reader.CallAsync("SET", key1, "uno")).IsOk);
            await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.PreferReplica));
            Assert.Equal("uno", (await reader.CallAsync("GET", key1)).AsString());
            Assert.Equal(1, await ReadCluster.CallsAsync(cluster.Master(1), "get"));
            await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.Replica));
        }
        finally
        {
            foreach (var pid in frozen)
            {
                ProcessProbe.Signal(pid, "CONT");
            }
        }

        // Answering again and caught up: reads at the replicas, with what the master has now.
        await cluster.WaitFreshAsync(2, 2);
        await cluster.ResetStatsAsync();
        var after = await cluster.ConnectAsync(0);
        Assert.Equal("uno", (await after.CallAsync("GET", key1)).AsString());
        Assert.Equal(0, await ReadCluster.CallsAsync(cluster.Master(1), "get"));
        Assert.Equal(1, await ReadCluster.CallsAsync(cluster.Replica(1, 0), "get") + await ReadCluster.CallsAsync(cluster.Replica(1, 1), "get"));
    }

    [Fact]
    public async Task A_lagging_replica_and_a_resyncing_one_get_no_reads_until_they_catch_up()
    {
        await using var cluster = await ReadCluster.StartAsync(relay: true);
        var relay = cluster.Relay!;
        await cluster.WaitFreshAsync(2, 2);
        await cluster.SetReadsAsync(new ReadSettingsChange(ReadMode.PreferReplica, MaxLagBytes: 8192, ReadYourWritesMs: 0));
        var key = ReadCluster.KeyOf(1, 0);
        var writer = await cluster.ConnectAsync(0);
        var readers = new List<RawConnection> { await cluster.ConnectAsync(0), await cluster.ConnectAsync(0), await cluster.ConnectAsync(1), await cluster.ConnectAsync(1) };
        Assert.True((await writer.CallAsync("SET", key, "v0")).IsOk);
        Assert.Equal(2, (await writer.CallAsync("WAIT", "2", "5000")).AsInt64());

        // Lagging: the master's stream to both replicas of group 1 is held back while their links stay up; 100 KB of
        // writes put them far beyond maxLag (8 KB). They still answer, and get no reads.
        relay.HoldReplication();
        var big = new string('x', 1024);
        for (int i = 1; i <= 100; i++)
        {
            Assert.True((await writer.CallAsync("SET", key, i == 100 ? "v100" : big)).IsOk);
        }

        await cluster.WaitFreshAsync(0, 2);
        var status = (await cluster.Client.GetStatusAsync()).Namespaces.Single(n => n.Name == ReadCluster.Namespace);
        Assert.Equal([false, false], status.Groups.Single(g => g.Id == 1).Servers.Where(s => s.Role == "replica").Select(s => s.Fresh));
        Assert.Equal([true, true], status.Groups.Single(g => g.Id == 2).Servers.Where(s => s.Role == "replica").Select(s => s.Fresh));
        await cluster.ResetStatsAsync();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal("v100", (await readers[i % readers.Count].CallAsync("GET", key)).AsString());
        }

        Assert.Equal(0, await ReadCluster.CallsAsync(cluster.Replica(1, 0), "get") + await ReadCluster.CallsAsync(cluster.Replica(1, 1), "get"));
        Assert.Equal(100, await ReadCluster.CallsAsync(cluster.Master(1), "get"));
        await using (var lagging = await cluster.Replica(1, 0).ConnectAsync(TimeSpan.FromSeconds(2)))
        {
            Assert.Equal("v0", (await lagging.CallAsync("GET", key)).AsString());
        }

        // Caught up: reads at the replicas again, with the newest value.
        relay.ReleaseReplication();
        await cluster.WaitFreshAsync(2, 2);
        await cluster.ResetStatsAsync();
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal("v100", (await readers[i % readers.Count].CallAsync("GET", key)).AsString());
        }

        Assert.Equal(0, await ReadCluster.CallsAsync(cluster.Master(1), "get"));

        // Resyncing: one replica re-attaches (REPLICAOF again) while the stream is held, so its sync cannot complete;
        // the other, linked and caught up, takes the reads alone.
        relay.HoldReplication();
        await using (var resyncing = await cluster.Replica(1, 0).ConnectAsync(TimeSpan.FromSeconds(2)))
        {
            Assert.True((await resyncing.CallAsync("REPLICAOF", "NO", "ONE")).IsOk);
            var port = relay.Endpoint.Split(':')[1];
            Assert.True((await resyncing.CallAsync("REPLICAOF", "127.0.0.1", port)).IsOk);
        }

        await cluster.WaitFreshAsync(1, 2);
        await cluster.ResetStatsAsync();
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal("v100", (await readers[i % readers.Count].CallAsync("GET", key)).AsString());
        }

        Assert.Equal(0, await ReadCluster.CallsAsync(cluster.Replica(1, 0), "get"));
        Assert.Equal(40, await ReadCluster.CallsAsync(cluster.Replica(1, 1), "get"));
        relay.ReleaseReplication();
        await cluster.WaitFreshAsync(2, 2, TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(1000, 1000, 0, true)]
    [InlineData(1000, 900, 100, true)]
    [InlineData(1000, 899, 100, false)]
    [InlineData(5_000_000, 1000, 1024 * 1024, false)]
    [InlineData(1000, 1200, 0, true)]
    public void The_lag_rule_compares_offsets_of_one_round(long masterOffset, long replicaOffset, long maxLag, bool fresh)
    {
        var master = new ProbeResult(true, null) { Role = "master", Offset = masterOffset };
        var replica = new ProbeResult(true, null) { Role = "replica", ReplicaOf = "127.0.0.1:7001", LinkUp = true, Offset = replicaOffset };
        Assert.Equal(fresh, ReplicaFreshness.IsFresh(master, "127.0.0.1:7001", replica, maxLag));
    }

    [Fact]
    public void A_replica_that_is_syncing_unlinked_elsewhere_or_silent_is_not_fresh()
    {
        var master = new ProbeResult(true, null) { Role = "master", Offset = 10 };
        var good = new ProbeResult(true, null) { Role = "replica", ReplicaOf = "127.0.0.1:7001", LinkUp = true, Offset = 10 };
        Assert.True(ReplicaFreshness.IsFresh(master, "127.0.0.1:7001", good, 0));
        Assert.False(ReplicaFreshness.IsFresh(master, "127.0.0.1:7001", good with { SyncInProgress = true }, 0));
        Assert.False(ReplicaFreshness.IsFresh(master, "127.0.0.1:7001", good with { LinkUp = false }, 0));
        Assert.False(ReplicaFreshness.IsFresh(master, "127.0.0.1:7001", good with { ReplicaOf = "127.0.0.1:7009" }, 0));
        Assert.False(ReplicaFreshness.IsFresh(master, "127.0.0.1:7001", ProbeResult.Failed("no answer within 500 ms"), 0));
        Assert.False(ReplicaFreshness.IsFresh(ProbeResult.Failed("no answer within 500 ms"), "127.0.0.1:7001", good, 0));
        Assert.False(ReplicaFreshness.IsFresh(master with { Role = "replica" }, "127.0.0.1:7001", good, 0));
    }

    private static async Task ReadAsync(IReadOnlyList<RawConnection> readers, IReadOnlyList<string> keys, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var key = keys[i % keys.Count];
            var reply = await readers[i % readers.Count].CallAsync("GET", key);
            Assert.Equal(key, reply.AsString());
        }
    }
}
