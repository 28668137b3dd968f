using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>MGET/MSET/DEL/UNLINK/EXISTS/TOUCH across groups, hash tags and CROSSSLOT.</summary>
public sealed class MultiKeyTests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public MultiKeyTests(ProxyCluster cluster) => _cluster = cluster;

    /// <summary>Keys guaranteed to live on different groups (slots 0-511 are group 1, 512-1023 group 2).</summary>
    private static (string OnGroup1, string OnGroup2) KeysOnBothGroups(string prefix)
    {
        string? a = null, b = null;
        for (int i = 0; a is null || b is null; i++)
        {
            string key = $"{prefix}:{i}";
            int slot = KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key));
            if (slot < 512)
            {
                a ??= key;
            }
            else
            {
                b ??= key;
            }
        }

        return (a, b);
    }

    [Fact]
    public async Task Mset_and_mget_across_groups_keep_the_clients_order()
    {
        await using var c = await _cluster.ConnectAsync();
        var keys = Enumerable.Range(0, 50).Select(i => $"mk:{i}").ToArray();
        var args = new List<object> { "MSET" };
        foreach (var key in keys)
        {
            args.Add(key);
            args.Add("value-of-" + key);
        }

        Reply.Ok(await c.CallAsync([.. args]));
        var values = Reply.Strings(await c.CallAsync(["MGET", .. keys, "mk:missing"]));
        Assert.Equal(keys.Select(k => "value-of-" + k).Append("(nil)"), values);

        // Really on both groups.
        await using var g1 = await _cluster.ConnectToMasterAsync(1);
        await using var g2 = await _cluster.ConnectToMasterAsync(2);
        Assert.True((await g1.CallAsync("DBSIZE")).Integer > 0);
        Assert.True((await g2.CallAsync("DBSIZE")).Integer > 0);
    }

    [Fact]
    public async Task Counting_commands_sum_across_groups()
    {
        await using var c = await _cluster.ConnectAsync();
        var (a, b) = KeysOnBothGroups("count");
        Reply.Ok(await c.CallAsync("MSET", a, "1", b, "2"));
        Reply.Integer(3, await c.CallAsync("EXISTS", a, b, a, "count:none"));
        Reply.Integer(2, await c.CallAsync("TOUCH", a, b));
        Reply.Integer(2, await c.CallAsync("DEL", a, b, "count:none"));
        Reply.Integer(0, await c.CallAsync("EXISTS", a, b));
        Reply.Ok(await c.CallAsync("MSET", a, "1", b, "2"));
        Reply.Integer(2, await c.CallAsync("UNLINK", a, b));
    }

    [Fact]
    public async Task Hash_tags_keep_keys_together_and_other_commands_need_one_slot()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Integer(1, await c.CallAsync("SADD", "{user1}.a", "x"));
        Reply.Integer(1, await c.CallAsync("SADD", "{user1}.b", "x"));
        Assert.Equal(["x"], Reply.Strings(await c.CallAsync("SINTER", "{user1}.a", "{user1}.b")));
        Reply.Ok(await c.CallAsync("RENAME", "{user1}.a", "{user1}.c"));

        var (a, b) = KeysOnBothGroups("cross");
        Reply.Error("CROSSSLOT Keys in request don't hash to the same slot", await c.CallAsync("SINTER", a, b));
        Reply.Error("CROSSSLOT", await c.CallAsync("RENAME", a, b));
        Reply.Error("CROSSSLOT", await c.CallAsync("MSETNX", a, "1", b, "2"));
        Reply.Integer(1, await c.CallAsync("MSETNX", "{t}1", "1", "{t}2", "2"));

        // The session is still fine after refusals.
        Reply.Text("PONG", await c.CallAsync("PING"));
    }

    [Fact]
    public async Task A_pipeline_mixing_groups_local_and_split_commands_answers_in_order()
    {
        await using var c = await _cluster.ConnectAsync();
        var (a, b) = KeysOnBothGroups("order");
        await c.SendAsync("SET", a, "A");
        await c.SendAsync("SET", b, "B");
        await c.SendAsync("PING");
        await c.SendAsync("MGET", b, a);
        await c.SendAsync("GET", a);
        await c.SendAsync("ECHO", "e");
        await c.SendAsync("NOSUCHCOMMAND");
        await c.SendAsync("GET", b);
        Reply.Ok(await c.ReadAsync());
        Reply.Ok(await c.ReadAsync());
        Reply.Text("PONG", await c.ReadAsync());
        Assert.Equal(["B", "A"], Reply.Strings(await c.ReadAsync()));
        Reply.Text("A", await c.ReadAsync());
        Reply.Text("e", await c.ReadAsync());
        Reply.Error("ERR unknown command 'NOSUCHCOMMAND'", await c.ReadAsync());
        Reply.Text("B", await c.ReadAsync());
    }

    [Fact]
    public async Task Hundred_thousand_pipelined_commands_come_back_in_order()
    {
        const int count = 100_000;
        var batch = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            string n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            batch.Write(i % 2 == 0 ? RawConnection.Command("SET", $"pipe:{i % 1000}", n) : RawConnection.Command("ECHO", n));
        }

        await using var c = await RawConnection.ConnectAsync(_cluster.Port);
        var sender = c.SendAsync(batch.ToArray());
        for (int i = 0; i < count; i++)
        {
            var reply = await c.ReadAsync();
            Assert.NotNull(reply);
            if (i % 2 == 0)
            {
                Reply.Ok(reply);
            }
            else
            {
                Reply.Text(i.ToString(System.Globalization.CultureInfo.InvariantCulture), reply);
            }
        }

        await sender.WaitAsync(TimeSpan.FromSeconds(60));
    }
}
