using Tessera.Controller.Migration;
using Tessera.Controller.Rebalance;
using Tessera.Model.Topology;

namespace Tessera.Controller.Tests.Migration;

/// <summary>The controller's mover on real redis-servers, without proxies: what moves, what stays, what survives the move.</summary>
public sealed class MoverTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Keys_of_the_moving_slots_move_with_types_ttls_and_binary_names_and_the_rest_stays()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2);
        await cluster.FillAsync(1, "k", 5000);
        await cluster.FillAsync(1, "ttl", 200, ttlSeconds: 1000);
        byte[] binary = [0x00, 0xff, (byte)'b', 0x0a, 0x80];
        await using (var g1 = await cluster.ConnectAsync(1))
        {
            await g1.CallAsync("HSET", "{obj}:hash", "a", "1", "b", "2");
            await g1.CallAsync("RPUSH", "{obj}:list", "x", "y", "z");
            await g1.CallAsync("SADD", "{obj}:set", "m1", "m2");
            await g1.CallAsync("ZADD", "{obj}:zset", "1", "one", "2", "two");
            await g1.CallAsync("XADD", "{obj}:stream", "1-1", "f", "v");
            await g1.CallAsync("SET", binary, new byte[] { 0x01, 0x00, 0xfe });
        }

        var objSlot = MigrationCluster.SlotOf("obj");
        var binarySlot = Tessera.Resp.Keys.KeySlot.Of(binary);
        var from = Math.Min(objSlot, binarySlot);
        var to = Math.Max(Math.Max(objSlot, binarySlot), 600);

        var started = await cluster.Client.StartMigrationAsync(MigrationCluster.Ns, from, to, 2);
        Assert.Equal(MigrationState.Queued, started.State);
        Assert.Equal(to - from + 1, started.Slots.Count);
        var done = await cluster.WaitAsync(started.Id, Bound);
        Assert.Equal(MigrationState.Done, done.State);
        Assert.Null(done.LastError);

        var onOne = await cluster.KeysAsync(1);
        var onTwo = await cluster.KeysAsync(2);
        Assert.Empty(onOne.Intersect(onTwo));
        foreach (var key in onOne)
        {
            Assert.False(MigrationCluster.SlotOf(key) >= from && MigrationCluster.SlotOf(key) <= to, $"{key} stayed on group 1");
        }

        foreach (var key in onTwo)
        {
            Assert.InRange(MigrationCluster.SlotOf(key), from, to);
        }

        Assert.Equal(5000 + 200 + 6, onOne.Count + onTwo.Count);
        Assert.Equal(onTwo.Count, done.KeysMoved);
        Assert.Equal(done.KeysMoved, done.Slots.Sum(s => s.Moved));
        Assert.All(done.Slots, s => Assert.Equal(0, s.Left));
        Assert.Equal(0, done.KeysLeft);

        await using var g2 = await cluster.ConnectAsync(2);
        Assert.Equal("hash", (await g2.CallAsync("TYPE", "{obj}:hash")).AsString());
        Assert.Equal("2", (await g2.CallAsync("HGET", "{obj}:hash", "b")).AsString());
        Assert.Equal(3, (await g2.CallAsync("LLEN", "{obj}:list")).Integer);
        Assert.Equal(2, (await g2.CallAsync("SCARD", "{obj}:set")).Integer);
        Assert.Equal("2", (await g2.CallAsync("ZSCORE", "{obj}:zset", "two")).AsString());
        Assert.Equal(1, (await g2.CallAsync("XLEN", "{obj}:stream")).Integer);
        Assert.Equal(new byte[] { 0x01, 0x00, 0xfe }, (await g2.CallAsync("GET", binary)).Bytes);
        foreach (var key in onTwo.Where(k => k.StartsWith("ttl:", StringComparison.Ordinal)))
        {
            Assert.InRange((await g2.CallAsync("TTL", key)).Integer, 900, 1000);
        }

        var view = await cluster.Client.GetSlotsAsync(MigrationCluster.Ns);
        Assert.Collection(view.Ranges.Where(r => r.From <= to && r.To >= from),
            r => Assert.Equal((from, to, 2, SlotState.Online), (r.From, r.To, r.Group, r.State)));
    }

    [Fact]
    public async Task A_rebalance_onto_a_new_group_moves_from_every_source_at_once_and_evens_the_keys()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 3);
        await cluster.FillAsync(1, "k", 6000);
        Assert.Equal(MigrationState.Done, (await cluster.WaitAsync((await cluster.Client.StartMigrationAsync(MigrationCluster.Ns, 512, 1023, 2)).Id, Bound)).State);

        var result = await cluster.Client.RebalanceAsync(MigrationCluster.Ns, new RebalanceRequest { Weights = new Dictionary<string, double> { ["3"] = 1 } });
        var migration = Assert.Single(result.Migrations);
        Assert.Equal(3, migration.Target);
        Assert.Equal([1, 2], migration.Slots.Select(s => s.Source).Distinct().Order());
        var done = await cluster.WaitAsync(migration.Id, Bound);
        Assert.Equal(MigrationState.Done, done.State);
        Assert.Equal([1, 2], done.Sources.Select(s => s.Group).Order());
        Assert.All(done.Sources, s => Assert.True(s.Done));

        var view = await cluster.Client.GetSlotsAsync(MigrationCluster.Ns);
        Assert.All(view.Groups, g => Assert.InRange(g.Slots, 341, 342));
        var owner = new int[1024];
        foreach (var range in view.Ranges)
        {
            for (var slot = range.From; slot <= range.To; slot++)
            {
                owner[slot] = range.Group;
            }
        }

        var total = 0;
        foreach (var group in new[] { 1, 2, 3 })
        {
            var keys = await cluster.KeysAsync(group);
            Assert.All(keys, k => Assert.Equal(group, owner[MigrationCluster.SlotOf(k)]));
            Assert.InRange(keys.Count, 1700, 2300);
            total += keys.Count;
        }

        Assert.Equal(6000, total);
    }
}
