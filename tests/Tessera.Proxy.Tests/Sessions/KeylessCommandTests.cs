using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>Commands the proxy answers itself, and commands it refuses with a reason.</summary>
public sealed class KeylessCommandTests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public KeylessCommandTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Connection_commands()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Text("PONG", await c.CallAsync("PING"));
        Reply.Text("hi", await c.CallAsync("PING", "hi"));
        Reply.Text("echo me", await c.CallAsync("ECHO", "echo me"));
        Reply.Ok(await c.CallAsync("SELECT", 0));
        Reply.Error("ERR Tessera serves database 0 only", await c.CallAsync("SELECT", 1));
        Reply.Ok(await c.CallAsync("CLIENT", "SETNAME", "tester"));
        Reply.Text("tester", await c.CallAsync("CLIENT", "GETNAME"));
        Assert.True((await c.CallAsync("CLIENT", "ID")).Integer > 0);
        Reply.Ok(await c.CallAsync("CLIENT", "SETINFO", "LIB-NAME", "xunit"));
        Assert.Contains("lib-name=xunit", (await c.CallAsync("CLIENT", "INFO")).AsString(), StringComparison.Ordinal);
        Reply.Error("ERR Client names cannot contain spaces", await c.CallAsync("CLIENT", "SETNAME", "a b"));
        var time = Reply.Strings(await c.CallAsync("TIME"));
        Assert.InRange(long.Parse(time[0], System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        Reply.Error("ERR AUTH <password> called without any password configured", await c.CallAsync("AUTH", "secret"));
        Reply.Ok(await c.CallAsync("QUIT"));
        await Assert.ThrowsAsync<IOException>(() => c.CallAsync("PING"));
    }

    [Fact]
    public async Task Hello_switches_protocol_and_describes_the_server()
    {
        await using var c = await _cluster.ConnectAsync();
        var hello2 = await c.CallAsync("HELLO", 2);
        Assert.Equal(RespKind.Array, hello2.Kind);
        Assert.Equal(["server", "redis"], hello2.Items!.Take(2).Select(i => i.AsString() ?? "").ToArray());
        var hello3 = await c.CallAsync("HELLO", 3, "SETNAME", "three");
        Assert.Equal(RespKind.Map, hello3.Kind);
        Assert.Contains("proto", hello3.ToString(), StringComparison.Ordinal);
        Reply.Text("three", await c.CallAsync("CLIENT", "GETNAME"));
        Assert.Equal(RespKind.Null, (await c.CallAsync("GET", "hello:missing")).Kind);
        Reply.Error("NOPROTO", await c.CallAsync("HELLO", 4));
    }

    [Fact]
    public async Task Command_introspection_comes_from_the_table()
    {
        await using var c = await _cluster.ConnectAsync();
        Assert.True((await c.CallAsync("COMMAND", "COUNT")).Integer > 200);
        var info = await c.CallAsync("COMMAND", "INFO", "get");
        Assert.Contains("get", info.ToString(), StringComparison.Ordinal);
        Assert.Equal(["a", "c"], Reply.Strings(await c.CallAsync("COMMAND", "GETKEYS", "MSET", "a", "b", "c", "d")));
        var docs = await c.CallAsync("COMMAND", "DOCS", "set");
        Assert.Contains("summary", docs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dbsize_and_info_merge_every_group()
    {
        await using var c = await _cluster.ConnectAsync();
        for (int i = 0; i < 20; i++)
        {
            await c.CallAsync("SET", $"dbsize:{i}", i);
        }

        await using var g1 = await _cluster.ConnectToMasterAsync(1);
        await using var g2 = await _cluster.ConnectToMasterAsync(2);
        long direct = (await g1.CallAsync("DBSIZE")).Integer + (await g2.CallAsync("DBSIZE")).Integer;
        Reply.Integer(direct, await c.CallAsync("DBSIZE"));
        var info = (await c.CallAsync("INFO")).AsString()!;
        Assert.Contains("# Proxy", info, StringComparison.Ordinal);
        Assert.Contains($"db0:keys={direct},", info, StringComparison.Ordinal);
        Assert.Contains("total_commands_processed:", (await c.CallAsync("INFO", "stats")).AsString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CONFIG", "ERR CONFIG GET is not supported through Tessera: administrative")]
    [InlineData("FLUSHALL", "ERR FLUSHALL would erase every group of namespace 'default'; it is refused unless the namespace sets allowFlush")]
    [InlineData("MIGRATE", "ERR MIGRATE is not supported through Tessera: moving keys behind the proxy")]
    public async Task Refused_commands_say_why(string command, string expected)
    {
        await using var c = await _cluster.ConnectAsync();
        object[] args = command switch
        {
            "CONFIG" => ["CONFIG", "GET", "maxmemory"],
            "MIGRATE" => ["MIGRATE", "127.0.0.1", 1, "k", 0, 100],
            _ => [command],
        };
        Reply.Error(expected, await c.CallAsync(args));
        Reply.Text("PONG", await c.CallAsync("PING"));
    }

    [Fact]
    public async Task Unknown_commands_and_wrong_arity_use_redis_wording()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Error("ERR unknown command 'FOO', with args beginning with: 'a' ", await c.CallAsync("FOO", "a"));
        Reply.Error("ERR wrong number of arguments for 'get' command", await c.CallAsync("GET"));
        Reply.Error("ERR unknown subcommand 'NOPE'. Try OBJECT HELP.", await c.CallAsync("OBJECT", "NOPE", "k"));
    }
}
