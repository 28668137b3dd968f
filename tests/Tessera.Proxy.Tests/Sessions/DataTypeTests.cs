using Tessera.Proxy.Tests.Support;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>Every data type's common commands through the proxy, on two real groups.</summary>
public sealed class DataTypeTests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public DataTypeTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Strings_and_expiry()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("SET", "str:a", "hello"));
        Reply.Text("hello", await c.CallAsync("GET", "str:a"));
        Reply.Integer(10, await c.CallAsync("APPEND", "str:a", "world"));
        Reply.Integer(10, await c.CallAsync("STRLEN", "str:a"));
        Reply.Text("llowo", await c.CallAsync("GETRANGE", "str:a", 2, 6));
        Reply.Integer(5, await c.CallAsync("INCRBY", "str:n", 5));
        Reply.Text("6.5", await c.CallAsync("INCRBYFLOAT", "str:n", "1.5"));
        Reply.Ok(await c.CallAsync("SET", "str:ttl", "v", "EX", 100));
        var ttl = await c.CallAsync("TTL", "str:ttl");
        Assert.InRange(ttl.Integer, 90, 100);
        Reply.Integer(1, await c.CallAsync("PERSIST", "str:ttl"));
        Reply.Integer(-1, await c.CallAsync("TTL", "str:ttl"));
        Reply.Null(await c.CallAsync("GET", "str:missing"));
        Reply.Text("helloworld", await c.CallAsync("SET", "str:a", "x", "GET"));
        var binary = new byte[] { 0, 1, 2, 255, 13, 10, 36 };
        Reply.Ok(await c.CallAsync("SET", new byte[] { 0xff, 0, (byte)'k' }, binary));
        Assert.Equal(binary, (await c.CallAsync("GET", new byte[] { 0xff, 0, (byte)'k' })).Bytes);
        Reply.Integer(0, await c.CallAsync("SETBIT", "str:bits", 7, 1));
        Reply.Integer(1, await c.CallAsync("BITCOUNT", "str:bits"));
        Reply.Integer(1, await c.CallAsync("PFADD", "str:hll", "a", "b", "c"));
        Reply.Integer(3, await c.CallAsync("PFCOUNT", "str:hll"));
        Reply.Text("string", await c.CallAsync("TYPE", "str:a"));
    }

    [Fact]
    public async Task Lists_hashes_sets_sorted_sets()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Integer(3, await c.CallAsync("RPUSH", "list:a", "x", "y", "z"));
        Reply.Integer(4, await c.CallAsync("LPUSH", "list:a", "w"));
        Assert.Equal(["w", "x", "y", "z"], Reply.Strings(await c.CallAsync("LRANGE", "list:a", 0, -1)));
        Reply.Text("z", await c.CallAsync("RPOP", "list:a"));
        Reply.Integer(3, await c.CallAsync("LLEN", "list:a"));
        Reply.Integer(1, await c.CallAsync("RPUSH", "{l}src", "item"));
        Reply.Text("item", await c.CallAsync("LMOVE", "{l}src", "{l}dst", "LEFT", "RIGHT"));

        Reply.Integer(2, await c.CallAsync("HSET", "hash:a", "f1", "v1", "f2", "v2"));
        Reply.Text("v1", await c.CallAsync("HGET", "hash:a", "f1"));
        Assert.Equal(["f1", "v1", "f2", "v2"], Reply.Strings(await c.CallAsync("HGETALL", "hash:a")));
        Reply.Integer(7, await c.CallAsync("HINCRBY", "hash:a", "n", 7));
        Reply.Integer(3, await c.CallAsync("HLEN", "hash:a"));
        Reply.Integer(1, await c.CallAsync("HDEL", "hash:a", "f2"));

        Reply.Integer(3, await c.CallAsync("SADD", "set:a", "a", "b", "c"));
        Reply.Integer(1, await c.CallAsync("SISMEMBER", "set:a", "b"));
        Reply.Integer(3, await c.CallAsync("SCARD", "set:a"));
        await c.CallAsync("SADD", "{s}1", "a", "b");
        await c.CallAsync("SADD", "{s}2", "b", "c");
        Assert.Equal(["b"], Reply.Strings(await c.CallAsync("SINTER", "{s}1", "{s}2")));

        Reply.Integer(3, await c.CallAsync("ZADD", "zset:a", 1, "one", 2, "two", 3, "three"));
        Assert.Equal(["one", "two"], Reply.Strings(await c.CallAsync("ZRANGE", "zset:a", 0, 1)));
        Reply.Text("3", await c.CallAsync("ZSCORE", "zset:a", "three"));
        Reply.Integer(1, await c.CallAsync("ZRANK", "zset:a", "two"));
        Reply.Integer(2, await c.CallAsync("ZCOUNT", "zset:a", 2, 3));
    }

    [Fact]
    public async Task Streams_and_geo()
    {
        await using var c = await _cluster.ConnectAsync();
        var id = await c.CallAsync("XADD", "stream:a", "*", "f", "v");
        Assert.False(id.IsError, id.ToString());
        Reply.Integer(1, await c.CallAsync("XLEN", "stream:a"));
        var read = await c.CallAsync("XREAD", "COUNT", 10, "STREAMS", "stream:a", "0");
        Assert.Contains("f", read.ToString(), StringComparison.Ordinal);
        Reply.Ok(await c.CallAsync("XGROUP", "CREATE", "stream:a", "g", "0"));
        var group = await c.CallAsync("XREADGROUP", "GROUP", "g", "c1", "COUNT", 1, "STREAMS", "stream:a", ">");
        Assert.Contains("v", group.ToString(), StringComparison.Ordinal);
        Reply.Null(await c.CallAsync("XREAD", "BLOCK", 10, "STREAMS", "stream:a", "$"));

        Reply.Integer(2, await c.CallAsync("GEOADD", "geo:a", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));
        var dist = await c.CallAsync("GEODIST", "geo:a", "Palermo", "Catania", "km");
        Assert.StartsWith("166.27", dist.AsString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_spread_over_both_groups()
    {
        await using var c = await _cluster.ConnectAsync();
        for (int i = 0; i < 200; i++)
        {
            Reply.Ok(await c.CallAsync("SET", $"spread:{i}", i));
        }

        await using var g1 = await _cluster.ConnectToMasterAsync(1);
        await using var g2 = await _cluster.ConnectToMasterAsync(2);
        long n1 = (await g1.CallAsync("EVAL", "return #redis.call('keys', 'spread:*')", 0)).Integer;
        long n2 = (await g2.CallAsync("EVAL", "return #redis.call('keys', 'spread:*')", 0)).Integer;
        Assert.Equal(200, n1 + n2);
        Assert.InRange(n1, 50, 150);
    }
}
