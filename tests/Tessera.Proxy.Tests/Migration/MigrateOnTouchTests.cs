using Tessera.Model.Topology;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Migration;

/// <summary>Keys of migrating slots move to the target group the first time a command touches them (architecture §4).</summary>
public sealed class MigrateOnTouchTests : IAsyncLifetime
{
    private readonly ProxyCluster _cluster = new(3, 0);

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    /// <summary>Slots 0..340 group 1, 341..681 group 2, 682..1023 group 3 (LocalCluster's even split); group 2's slots migrate to <paramref name="target"/>.</summary>
    private void MigrateGroup2To(int target, long epoch)
    {
        var ns = _cluster.Cluster.Topology.Namespaces[0];
        var slots = ns.Slots.Select(r => r.Group == 2 ? r with { State = SlotState.Migrating, Target = target } : r).ToList();
        _cluster.Proxy.ApplyTopology(new TopologyConfig { Epoch = epoch, Namespaces = [ns with { Epoch = epoch, Slots = slots }] });
    }

    private int GroupOf(string key)
    {
        int slot = KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key));
        return _cluster.Cluster.Topology.Namespaces[0].Slots.Single(r => slot >= r.From && slot <= r.To).Group;
    }

    private List<string> KeysOfGroup(int group, string prefix, int count) =>
        Enumerable.Range(0, 10_000).Select(i => $"{prefix}:{i}").Where(k => GroupOf(k) == group).Take(count).ToList();

    [Fact]
    public async Task Reads_and_writes_move_keys_with_their_ttl_and_type_to_the_target()
    {
        await using var c = await _cluster.ConnectAsync();
        var strings = KeysOfGroup(2, "str", 20);
        foreach (var key in strings)
        {
            Reply.Ok(await c.CallAsync("SET", key, "v-" + key, "EX", 1000));
        }

        string hash = KeysOfGroup(2, "hash", 1)[0], list = KeysOfGroup(2, "list", 1)[0];
        await c.CallAsync("HSET", hash, "a", "1", "b", "2");
        await c.CallAsync("RPUSH", list, "x", "y");

        MigrateGroup2To(1, 2);

        foreach (var key in strings)
        {
            Reply.Text("v-" + key, await c.CallAsync("GET", key));
        }

        Reply.Integer(2, await c.CallAsync("HLEN", hash));
        Reply.Integer(3, await c.CallAsync("RPUSH", list, "z"));

        // They now live on group 1 only, TTL included.
        await using var g1 = await _cluster.ConnectToMasterAsync(1);
        await using var g2 = await _cluster.ConnectToMasterAsync(2);
        foreach (var key in strings.Append(hash).Append(list))
        {
            Reply.Integer(1, await g1.CallAsync("EXISTS", key));
            Reply.Integer(0, await g2.CallAsync("EXISTS", key));
        }

        Assert.InRange((await g1.CallAsync("TTL", strings[0])).Integer, 900, 1000);

        // A key written for the first time during the migration goes to the target.
        string fresh = KeysOfGroup(2, "fresh", 1)[0];
        Reply.Ok(await c.CallAsync("SET", fresh, "new"));
        Reply.Integer(1, await g1.CallAsync("EXISTS", fresh));
    }

    [Fact]
    public async Task Split_commands_migrate_their_keys_first_and_keep_the_order()
    {
        await using var c = await _cluster.ConnectAsync();
        var moving = KeysOfGroup(2, "m", 5);
        var staying = KeysOfGroup(3, "s", 5);
        var all = moving.Zip(staying, (a, b) => new[] { a, b }).SelectMany(x => x).ToList();
        var mset = new List<object> { "MSET" };
        foreach (var key in all)
        {
            mset.Add(key);
            mset.Add("v-" + key);
        }

        Reply.Ok(await c.CallAsync([.. mset]));
        MigrateGroup2To(1, 2);

        Assert.Equal(all.Select(k => "v-" + k), Reply.Strings(await c.CallAsync(["MGET", .. all])));
        Reply.Integer(all.Count, await c.CallAsync(["EXISTS", .. all]));
        await using var g1 = await _cluster.ConnectToMasterAsync(1);
        Reply.Integer(moving.Count, await g1.CallAsync(["EXISTS", .. moving]));
        Reply.Integer(all.Count, await c.CallAsync(["DEL", .. all]));
    }

    [Fact]
    public async Task An_unreachable_target_answers_tryagain_and_keeps_the_key_on_the_source()
    {
        await using var c = await _cluster.ConnectAsync();
        string key = KeysOfGroup(2, "stuck", 1)[0];
        Reply.Ok(await c.CallAsync("SET", key, "safe"));
        _cluster.Cluster.Groups.Single(g => g.Id == 3).Master.Kill();
        MigrateGroup2To(3, 2);

        Reply.Error("TRYAGAIN slot", await c.CallAsync("GET", key));
        await using var g2 = await _cluster.ConnectToMasterAsync(2);
        Reply.Text("safe", await g2.CallAsync("GET", key));
        Reply.Text("PONG", await c.CallAsync("PING"));
    }
}
