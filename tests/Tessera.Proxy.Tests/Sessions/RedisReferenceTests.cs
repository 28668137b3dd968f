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
/// Protocol errors byte for byte against redis-server 7: the same malformed bytes to the proxy and to a plain server,
/// the same error back (commands are compared by the differential harness in tests/Tessera.Clients.Tests/Differential,
/// which sends well-formed requests only).
/// </summary>
public sealed class RedisReferenceTests(ReferenceCluster cluster) : IClassFixture<ReferenceCluster>
{
    [Theory]
    [InlineData("*1\r\n$600000000\r\n")]
    [InlineData("*99999999999\r\n")]
    [InlineData("*2\r\n\r\nGET\r\n")]
    [InlineData("*1\r\n$-5\r\n")]
    [InlineData("*abc\r\n")]
    [InlineData("*2\r\n$3\r\nGET\r\n$abc\r\n")]
    public async Task Protocol_errors_use_redis_servers_words(string input)
    {
        string expected = await ErrorAsync(cluster.Reference[0].Port, input);
        string actual = await ErrorAsync(cluster.Proxy.Port, input);
        Assert.StartsWith("-ERR Protocol error", expected, StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }

    private static async Task<string> ErrorAsync(int port, string input)
    {
        await using var connection = await RawConnection.ConnectAsync(port);
        await connection.SendAsync(Encoding.Latin1.GetBytes(input));
        return Encoding.Latin1.GetString(await connection.ReadBytesAsync(TimeSpan.FromSeconds(10)));
    }
}
