using System.Diagnostics;
using System.Text;
using Tessera.Resp.Client;
using Tessera.Resp.Values;

namespace Tessera.Resp.Tests.Client;

/// <summary>RespClient against a real redis-server (one per test class, a key prefix per test).</summary>
public class RespClientTests : IClassFixture<RedisTestServer>
{
    private readonly RedisTestServer _server;

    public RespClientTests(RedisTestServer server) => _server = server;

    [Fact]
    public async Task SetAndGet_RoundTripBinaryValues()
    {
        await using RespClient client = await _server.ConnectAsync();
        Assert.Equal(_server.Endpoint, client.Endpoint);

        byte[] everyByte = new byte[256 * 4];
        for (int i = 0; i < everyByte.Length; i++)
        {
            everyByte[i] = (byte)i;
        }

        byte[] big = new byte[5 * 1024 * 1024];
        new Random(3).NextBytes(big);

        foreach (byte[] value in new[] { everyByte, big, [], "\r\n$3\r\n"u8.ToArray() })
        {
            RespValue set = await client.CallAsync("SET", "bin:key", value);
            Assert.True(set.IsOk, set.ToString());
            RespValue get = await client.CallAsync("GET", "bin:key");
            Assert.Equal(RespKind.BulkString, get.Kind);
            Assert.Equal(value, get.Bytes);
        }

        Assert.True((await client.CallAsync("SET", "bin:mem", new ReadOnlyMemory<byte>([1, 2, 3]))).IsOk);
        Assert.Equal([1, 2, 3], (await client.CallAsync("GET", "bin:mem")).Bytes);
        Assert.True((await client.CallAsync("GET", "bin:missing")).IsNull);
    }

    [Fact]
    public async Task SyncCall_Works_AndSharesTheConnection()
    {
        await using RespClient client = await _server.ConnectAsync();
        Assert.True(client.Call("SET", "sync:k", "välue").IsOk);
        Assert.Equal("välue", client.Call("GET", "sync:k").AsString());
        Assert.Equal("välue", (await client.CallAsync("GET", "sync:k")).AsString());
        Assert.Equal("PONG", client.Call("PING").AsString());
    }

    [Fact]
    public async Task Arguments_OfEveryType_AreFormattedInvariantly()
    {
        await using RespClient client = await _server.ConnectAsync();
        Assert.Equal(5, (await client.CallAsync("INCRBY", "args:n", 5)).Integer);
        Assert.Equal(5 + 10_000_000_000L, (await client.CallAsync("INCRBY", "args:n", 10_000_000_000L)).Integer);
        Assert.Equal(1.5, (await client.CallAsync("INCRBYFLOAT", "args:f", 1.5)).AsDouble());
        Assert.Equal(1, (await client.CallAsync("ZADD", "args:z", double.PositiveInfinity, "top")).Integer);
        Assert.Equal("inf", (await client.CallAsync("ZSCORE", "args:z", "top")).AsString());
        Assert.Equal("PONG", (await client.CallAsync("PING"u8.ToArray())).AsString());

        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => client.CallAsync("SET", "k", true));
        Assert.Contains("Boolean", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => client.CallAsync());

        // A rejected argument list leaves the connection in step.
        Assert.Equal("PONG", (await client.CallAsync("PING")).AsString());
    }

    [Fact]
    public async Task Pipeline_Of1000Commands_ReadsRepliesInOrder()
    {
        await using RespClient client = await _server.ConnectAsync();
        for (int i = 0; i < 1000; i++)
        {
            await client.SendAsync("SET", $"pipe:{i}", $"value-{i}");
            await client.SendAsync("INCR", "pipe:counter");
        }

        for (int i = 0; i < 1000; i++)
        {
            Assert.True((await client.ReadAsync()).IsOk);
            Assert.Equal(i + 1, (await client.ReadAsync()).Integer);
        }

        for (int i = 0; i < 1000; i++)
        {
            await client.SendAsync("GET", $"pipe:{i}");
        }

        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal($"value-{i}", (await client.ReadAsync()).AsString());
        }
    }

    [Fact]
    public async Task LargeArrayReply_ArrivingInManyReads_IsRead()
    {
        await using RespClient client = await _server.ConnectAsync();
        const int count = 100_000;
        for (int start = 0; start < count; start += 10_000)
        {
            object[] args = new object[2 + 10_000];
            args[0] = "RPUSH";
            args[1] = "big:list";
            for (int i = 0; i < 10_000; i++)
            {
                args[2 + i] = $"element-{start + i}";
            }

            await client.CallAsync(args);
        }

        RespValue all = await client.CallAsync("LRANGE", "big:list", 0, -1);
        Assert.Equal(count, all.Items!.Count);
        Assert.Equal("element-0", all.Items[0].AsString());
        Assert.Equal($"element-{count - 1}", all.Items[count - 1].AsString());
    }

    [Fact]
    public async Task ErrorReplies_AreValues_AndTheConnectionStaysUsable()
    {
        await using RespClient client = await _server.ConnectAsync();
        RespValue unknown = await client.CallAsync("NOSUCHCOMMAND", "x");
        Assert.True(unknown.IsError);
        Assert.StartsWith("ERR unknown command", unknown.AsString(), StringComparison.Ordinal);

        await client.CallAsync("SET", "err:string", "x");
        RespValue wrongType = await client.CallAsync("LPUSH", "err:string", "y");
        Assert.Equal(RespValue.CreateError("WRONGTYPE Operation against a key holding the wrong kind of value"), wrongType);

        Assert.Equal("PONG", (await client.CallAsync("PING")).AsString());
    }

    [Fact]
    public async Task Resp3_RepliesAreTyped()
    {
        await using RespClient client = await _server.ConnectAsync();
        RespValue hello = await client.CallAsync("HELLO", 3);
        Assert.Equal(RespKind.Map, hello.Kind);
        Assert.Contains(hello.Items!, item => item.AsString() == "proto");

        await client.CallAsync("HSET", "r3:h", "f", "v");
        Assert.Equal(RespValue.CreateMap(RespValue.CreateBulkString("f"), RespValue.CreateBulkString("v")), await client.CallAsync("HGETALL", "r3:h"));
        await client.CallAsync("ZADD", "r3:z", 2.5, "m");
        Assert.Equal(RespValue.CreateDouble(2.5), await client.CallAsync("ZSCORE", "r3:z", "m"));
        await client.CallAsync("SADD", "r3:s", "a");
        Assert.Equal(RespValue.CreateSet(RespValue.CreateBulkString("a")), await client.CallAsync("SMEMBERS", "r3:s"));
        Assert.Equal(RespValue.Null, await client.CallAsync("GET", "r3:missing"));
        Assert.Equal(RespKind.Verbatim, (await client.CallAsync("INFO", "server")).Kind);
    }

    [Fact]
    public async Task SendRaw_SendsInlineCommands()
    {
        await using RespClient client = await _server.ConnectAsync();
        await client.SendRawAsync("PING\r\nECHO hello\r\n"u8.ToArray());
        Assert.Equal("PONG", (await client.ReadAsync()).AsString());
        Assert.Equal("hello", (await client.ReadAsync()).AsString());
    }

    [Fact]
    public async Task Quit_ThenRead_ThrowsIOException_NamingTheEndpoint()
    {
        await using RespClient client = await _server.ConnectAsync();
        Assert.True((await client.CallAsync("QUIT")).IsOk);
        IOException closed = await Assert.ThrowsAsync<IOException>(() => client.ReadAsync());
        Assert.Contains($"connection closed by {_server.Endpoint}", closed.Message, StringComparison.Ordinal);

        // The client stays closed and says why.
        IOException later = await Assert.ThrowsAsync<IOException>(() => client.CallAsync("PING"));
        Assert.Contains("connect a new RespClient", later.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientKill_ThrowsIOException()
    {
        await using RespClient victim = await _server.ConnectAsync();
        await using RespClient killer = await _server.ConnectAsync();
        long id = (await victim.CallAsync("CLIENT", "ID")).Integer;
        Assert.Equal(1, (await killer.CallAsync("CLIENT", "KILL", "ID", id)).Integer);

        IOException error = await Assert.ThrowsAsync<IOException>(() => victim.CallAsync("PING"));
        Assert.Contains(_server.Endpoint, error.Message, StringComparison.Ordinal);
        Assert.Throws<IOException>(() => victim.Call("PING"));
    }

    [Fact]
    public async Task ReadTimeout_ThrowsTimeoutExceptionQuickly()
    {
        await using RespClient client = await _server.ConnectAsync();
        client.Timeout = TimeSpan.FromMilliseconds(300);
        var clock = Stopwatch.StartNew();
        TimeoutException error = await Assert.ThrowsAsync<TimeoutException>(() => client.CallAsync("BLPOP", "timeout:missing", 10));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Contains("BLPOP", error.Message, StringComparison.Ordinal);
        Assert.Contains(_server.Endpoint, error.Message, StringComparison.Ordinal);

        // A late BLPOP reply could be taken for the next command's, so the client is closed.
        await Assert.ThrowsAsync<IOException>(() => client.CallAsync("PING"));
    }

    [Fact]
    public async Task SyncReadTimeout_ThrowsTimeoutExceptionQuickly()
    {
        await using RespClient client = await _server.ConnectAsync();
        client.Timeout = TimeSpan.FromMilliseconds(300);
        var clock = Stopwatch.StartNew();
        TimeoutException error = Assert.Throws<TimeoutException>(() => client.Call("BLPOP", "timeout:missing-sync", 10));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Contains("BLPOP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MisuseIsReported()
    {
        await using RespClient client = await _server.ConnectAsync();
        Task<RespValue> blocked = client.CallAsync("BLPOP", "misuse:missing", 1);
        InvalidOperationException concurrent = await Assert.ThrowsAsync<InvalidOperationException>(() => client.CallAsync("PING"));
        Assert.Contains("not thread-safe", concurrent.Message, StringComparison.Ordinal);
        Assert.True((await blocked).IsNull);

        await client.SendAsync("PING");
        InvalidOperationException unread = await Assert.ThrowsAsync<InvalidOperationException>(() => client.CallAsync("PING"));
        Assert.Contains("unread", unread.Message, StringComparison.Ordinal);
        Assert.Equal("PONG", (await client.ReadAsync()).AsString());
        Assert.Equal("PONG", (await client.CallAsync("PING")).AsString());

        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.CallAsync("PING"));
    }

    [Fact]
    public async Task Connect_ToAClosedPort_ThrowsIOException()
    {
        int port = RedisTestServer.FindFreePort();
        var clock = Stopwatch.StartNew();
        IOException error = await Assert.ThrowsAsync<IOException>(() => RespClient.ConnectAsync("127.0.0.1", port, TimeSpan.FromSeconds(5)));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Connect_AcceptsHostPortText()
    {
        await using RespClient client = await RespClient.ConnectAsync(_server.Endpoint, TimeSpan.FromSeconds(5));
        Assert.Equal("PONG", (await client.CallAsync("PING")).AsString());
        Assert.Throws<ArgumentException>(() => { _ = RespClient.ConnectAsync("no-port"); });
    }

    [Fact]
    public async Task ServerLog_IsCaptured()
    {
        await using RespClient client = await _server.ConnectAsync();
        Assert.Contains("Ready to accept connections", _server.Log, StringComparison.Ordinal);
        _ = Encoding.UTF8;
    }
}
