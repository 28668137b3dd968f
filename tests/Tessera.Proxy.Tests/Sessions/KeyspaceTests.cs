using Tessera.Proxy.Tests.Support;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>SCAN across groups, KEYS, RANDOMKEY, FLUSHDB guard, SCRIPT and FUNCTION on every group.</summary>
public sealed class KeyspaceTests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public KeyspaceTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Scan_visits_every_group_and_every_key_once()
    {
        await using var c = await _cluster.ConnectAsync();
        var expected = Enumerable.Range(0, 300).Select(i => $"scan:{i}").ToHashSet();
        foreach (var key in expected)
        {
            await c.CallAsync("SET", key, "1");
        }

        await c.CallAsync("HSET", "scanhash:1", "f", "v");
        var seen = new List<string>();
        string cursor = "0";
        int calls = 0;
        do
        {
            var reply = await c.CallAsync("SCAN", cursor, "MATCH", "scan:*", "COUNT", 50);
            cursor = reply.Items![0].AsString()!;
            seen.AddRange(reply.Items[1].Items!.Select(i => i.AsString()!));
            Assert.True(++calls < 1000, "SCAN never finished");
        }
        while (cursor != "0");

        Assert.Equal(expected.Order(), seen.Distinct().Order());

        // TYPE filter, and KEYS across groups.
        var hashes = await c.CallAsync("SCAN", "0", "TYPE", "hash", "COUNT", 1000);
        Assert.DoesNotContain("scan:1", Reply.Strings(hashes.Items![1]));
        Assert.Equal(300, Reply.Strings(await c.CallAsync("KEYS", "scan:*")).Length);
        Assert.StartsWith("scan", (await c.CallAsync("RANDOMKEY")).AsString(), StringComparison.Ordinal);
        Reply.Error("ERR invalid cursor", await c.CallAsync("SCAN", "abc"));
    }

    [Fact]
    public async Task Scripts_and_functions_are_loaded_on_every_group()
    {
        await using var c = await _cluster.ConnectAsync();
        string sha = (await c.CallAsync("SCRIPT", "LOAD", "return redis.call('GET', KEYS[1])")).AsString()!;
        Assert.Equal(40, sha.Length);
        Assert.Equal(["1", "0"], Reply.Strings(await c.CallAsync("SCRIPT", "EXISTS", sha, new string('0', 40))));
        for (int i = 0; i < 20; i++)
        {
            Reply.Ok(await c.CallAsync("SET", $"evalsha:{i}", i));
            Reply.Text(i.ToString(System.Globalization.CultureInfo.InvariantCulture), await c.CallAsync("EVALSHA", sha, 1, $"evalsha:{i}"));
        }

        Reply.Text("mylib", await c.CallAsync("FUNCTION", "LOAD", "REPLACE", "#!lua name=mylib\nredis.register_function('myget', function(keys, args) return redis.call('GET', keys[1]) end)"));
        for (int i = 0; i < 20; i++)
        {
            Reply.Text(i.ToString(System.Globalization.CultureInfo.InvariantCulture), await c.CallAsync("FCALL", "myget", 1, $"evalsha:{i}"));
        }

        Reply.Ok(await c.CallAsync("FUNCTION", "DELETE", "mylib"));
        Reply.Error("ERR FLUSHDB would erase every group", await c.CallAsync("FLUSHDB"));
    }
}
