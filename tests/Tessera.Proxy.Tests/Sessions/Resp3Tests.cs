using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>RESP3 end to end: after HELLO 3 replies come in RESP3 types from the backends themselves.</summary>
public sealed class Resp3Tests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public Resp3Tests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Replies_use_resp3_types_after_hello_3_and_resp2_before()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Integer(2, await c.CallAsync("HSET", "r3:h", "a", "1", "b", "2"));
        await c.CallAsync("ZADD", "r3:z", "1.5", "m");
        Assert.Equal(RespKind.Array, (await c.CallAsync("HGETALL", "r3:h")).Kind);

        Assert.Equal(RespKind.Map, (await c.CallAsync("HELLO", 3)).Kind);
        Assert.Equal(RespKind.Map, (await c.CallAsync("HGETALL", "r3:h")).Kind);
        var score = await c.CallAsync("ZSCORE", "r3:z", "m");
        Assert.Equal(RespKind.Double, score.Kind);
        Assert.Equal(1.5, score.Double);
        Assert.Equal(RespKind.Null, (await c.CallAsync("GET", "r3:missing")).Kind);
        Assert.Equal(RespKind.Set, (await c.CallAsync("SMEMBERS", "r3:none")).Kind);

        Assert.Equal(RespKind.Array, (await c.CallAsync("HELLO", 2)).Kind);
        Assert.Equal(RespKind.Array, (await c.CallAsync("HGETALL", "r3:h")).Kind);
    }

    [Fact]
    public async Task A_pipeline_across_a_protocol_switch_keeps_its_order()
    {
        await using var c = await RawConnection.ConnectAsync(_cluster.Port);
        var batch = new MemoryStream();
        for (int i = 0; i < 200; i++)
        {
            batch.Write(RawConnection.Command("SET", "r3:order", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        batch.Write(RawConnection.Command("HELLO", "3"));
        batch.Write(RawConnection.Command("GET", "r3:order"));
        await c.SendAsync(batch.ToArray());
        for (int i = 0; i < 200; i++)
        {
            Reply.Ok((await c.ReadAsync())!);
        }

        Assert.Equal(RespKind.Map, (await c.ReadAsync())!.Kind);
        Reply.Text("199", (await c.ReadAsync())!);
    }
}
