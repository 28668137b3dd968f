using System.Net.Sockets;
using System.Text;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>A two-group proxy and one plain redis-server, the reference its answers are compared with.</summary>
public sealed class ReferenceCluster : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("tessera-reference");

    public ProxyCluster Proxy { get; } = new();

    public RedisServers Reference { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Proxy.InitializeAsync();
        Reference = await RedisServers.StartAsync(_directory, 1);
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Reference.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>
/// Byte-for-byte against redis-server 7: the same bytes on one connection to the proxy and to a plain server, the
/// same bytes back. Covers what the proxy answers itself: CLIENT REPLY, commands refused while a MULTI is queued,
/// COMMAND LIST FILTERBY, COMMAND GETKEYS/GETKEYSANDFLAGS, protocol error texts.
/// </summary>
public sealed class RedisReferenceTests(ReferenceCluster cluster) : IClassFixture<ReferenceCluster>
{
    private const string End = "ECHO __end__";

    public static TheoryData<string> Sequences => new()
    {
        // CLIENT REPLY: OFF and SKIP answer nothing; OFF silences until ON; SKIP while OFF changes nothing; RESET turns replies on.
        "CLIENT REPLY OFF|SET {r}a 1|GET {r}a|CLIENT REPLY ON|GET {r}a",
        "CLIENT REPLY SKIP|SET {r}a 2|GET {r}a",
        "CLIENT REPLY OFF|CLIENT REPLY SKIP|GET {r}a|CLIENT REPLY FOO|CLIENT REPLY ON|PING",
        "CLIENT REPLY OFF|RESET|PING",
        "CLIENT REPLY|CLIENT REPLY ON ON|CLIENT REPLY MAYBE",
        "HELLO 3|CLIENT REPLY SKIP|MGET {r}a {r}b|PING|HELLO 2",

        // A command refused before it is queued discards the transaction at EXEC.
        "DEL {r}a|MULTI|SET {r}a|EXEC|GET {r}a",
        "DEL {r}a|MULTI|SET {r}a 1|NOSUCHCOMMAND x|EXEC|GET {r}a",
        "DEL {r}a|MULTI|SET {r}a 1|EXEC|GET {r}a",
        "WATCH {r}a|MULTI|EXEC|SET {r}a 3|MULTI|GET {r}a|EXEC",

        // WATCH keeps its place among the client's own writes: one before it does not abort EXEC, one after it does.
        "SET {r}w 1|WATCH {r}w|MULTI|INCR {r}w|EXEC|GET {r}w",
        "SET {r}w 1|WATCH {r}w|SET {r}w 2|MULTI|INCR {r}w|EXEC|GET {r}w",

        // COMMAND GETKEYS / GETKEYSANDFLAGS, Redis's error order and flags decided by the arguments.
        "COMMAND GETKEYS EVAL 'return 1' 0|COMMAND GETKEYS EVAL 'return 1' 1 k|COMMAND GETKEYS PING a b|COMMAND GETKEYS NOSUCH|COMMAND GETKEYS SET a",
        "COMMAND GETKEYSANDFLAGS SET a b|COMMAND GETKEYSANDFLAGS SET a b GET|COMMAND GETKEYSANDFLAGS LMOVE a b LEFT RIGHT",
        "COMMAND GETKEYSANDFLAGS BITFIELD k GET u8 0|COMMAND GETKEYSANDFLAGS BITFIELD k INCRBY u8 0 1|COMMAND GETKEYSANDFLAGS SORT a STORE b",
        "HELLO 3|COMMAND GETKEYSANDFLAGS SET a b|COMMAND GETKEYSANDFLAGS MSET a 1 b 2|HELLO 2",

        // COMMAND LIST filters whose answer does not depend on order.
        "COMMAND LIST FILTERBY PATTERN xad*|COMMAND LIST FILTERBY MODULE m|COMMAND LIST FILTERBY ACLCAT nosuch|COMMAND LIST FILTERBY FOO x|COMMAND LIST FILTERBY|COMMAND LIST FILTERBY PATTERN",
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public async Task The_proxy_answers_as_redis_server_does(string sequence)
    {
        var commands = sequence.Split('|').Append("CLIENT REPLY ON").Append(End).ToArray();
        await Flush();
        string expected = await ExchangeAsync(cluster.Reference[0].Port, commands);
        await Flush();
        string actual = await ExchangeAsync(cluster.Proxy.Port, commands);
        Assert.True(ClientIds(expected) == ClientIds(actual), $"{sequence}\nredis-server: {Escape(expected)}\nproxy:        {Escape(actual)}");
    }

    [Theory]
    [InlineData("COMMAND LIST")]
    [InlineData("COMMAND LIST FILTERBY ACLCAT scripting")]
    [InlineData("COMMAND LIST FILTERBY ACLCAT KEYSPACE")]
    [InlineData("COMMAND LIST FILTERBY PATTERN CONFIG|G*")]
    [InlineData("COMMAND LIST FILTERBY PATTERN *a[b-d]?")]
    public async Task Command_list_names_the_same_commands_and_subcommands(string command)
    {
        // Redis lists them in its hash table's order; the proxy in the table's.
        await using var reference = await cluster.Reference[0].ConnectAsync(TimeSpan.FromSeconds(5));
        await using var proxy = await cluster.Proxy.ConnectAsync();
        var args = command.Split(' ');
        var expected = (await reference.CallAsync(args)).Items!.Select(static i => i.AsString()!).Order(StringComparer.Ordinal).ToList();
        var actual = (await proxy.CallAsync(args)).Items!.Select(static i => i.AsString()!).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("*1\r\n$600000000\r\n")]
    [InlineData("*99999999999\r\n")]
    [InlineData("*2\r\n\r\nGET\r\n")]
    [InlineData("*1\r\n$-5\r\n")]
    [InlineData("*abc\r\n")]
    public async Task Protocol_errors_use_redis_servers_words(string input)
    {
        string expected = await ExchangeRawAsync(cluster.Reference[0].Port, input);
        string actual = await ExchangeRawAsync(cluster.Proxy.Port, input);
        Assert.StartsWith("-ERR Protocol error", expected, StringComparison.Ordinal);
        Assert.Equal(Escape(expected), Escape(actual));
    }

    private async Task Flush()
    {
        await using (var reference = await cluster.Reference[0].ConnectAsync(TimeSpan.FromSeconds(5)))
        {
            await reference.CallAsync("FLUSHALL");
        }

        foreach (var group in cluster.Proxy.Cluster.Groups)
        {
            await using var master = await cluster.Proxy.ConnectToMasterAsync(group.Id);
            await master.CallAsync("FLUSHALL");
        }
    }

    /// <summary>Sends the commands (inline, as redis-cli would type them) and reads every byte up to the reply to the last, ECHO __end__.</summary>
    private static async Task<string> ExchangeAsync(int port, string[] commands)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(Encoding.UTF8.GetBytes(string.Join("\r\n", commands) + "\r\n"));
        return await ReadAsync(socket, "$7\r\n__end__\r\n");
    }

    /// <summary>Sends raw bytes and reads until the server closes the connection.</summary>
    private static async Task<string> ExchangeRawAsync(int port, string input)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await socket.SendAsync(Encoding.Latin1.GetBytes(input));
        return await ReadAsync(socket, until: null);
    }

    private static async Task<string> ReadAsync(Socket socket, string? until)
    {
        var received = new StringBuilder();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (until is null || !received.ToString().EndsWith(until, StringComparison.Ordinal))
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }

        return received.ToString();
    }

    /// <summary>HELLO's client id is the one thing that differs by nature (each server counts its own connections).</summary>
    private static string ClientIds(string replies) =>
        System.Text.RegularExpressions.Regex.Replace(replies, @"\$2\r\nid\r\n:\d+\r\n", "$2\r\nid\r\n:N\r\n");

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
