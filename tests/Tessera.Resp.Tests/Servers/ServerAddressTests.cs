using Tessera.Resp.Servers;

namespace Tessera.Resp.Tests.Servers;

public sealed class ServerAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:6379", "127.0.0.1", 6379)]
    [InlineData("redis-a.internal:7000", "redis-a.internal", 7000)]
    [InlineData("[::1]:6379", "::1", 6379)]
    [InlineData("[fe80::1%eth0]:1", "fe80::1%eth0", 1)]
    [InlineData("localhost:65535", "localhost", 65535)]
    public void Parses_host_colon_port_and_writes_it_back(string text, string host, int port)
    {
        ServerAddress address = ServerAddress.Parse(text);

        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(text, address.ToString());
        Assert.Equal(address, ServerAddress.Parse(address.ToString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":6379")]
    [InlineData("::1:6379")]
    [InlineData("[::1:6379")]
    [InlineData("[]:6379")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("127.0.0.1: 80")]
    [InlineData("my host:80")]
    public void Refuses_what_is_not_host_colon_port(string? text)
    {
        Assert.False(ServerAddress.TryParse(text, out ServerAddress address));
        Assert.Equal(default, address);

        FormatException error = Assert.Throws<FormatException>(() => ServerAddress.Parse(text));
        Assert.Equal($"'{text}' is not a server address: write host:port, e.g. 127.0.0.1:6379 (IPv6 as [::1]:6379, port 1..65535)", error.Message);
    }

    [Fact]
    public void Equality_ignores_the_case_of_host_names_but_not_the_port()
    {
        Assert.Equal(ServerAddress.Parse("Redis-A:7000"), ServerAddress.Parse("redis-a:7000"));
        Assert.Equal(ServerAddress.Parse("Redis-A:7000").GetHashCode(), ServerAddress.Parse("redis-a:7000").GetHashCode());
        Assert.NotEqual(ServerAddress.Parse("redis-a:7000"), ServerAddress.Parse("redis-a:7001"));
        Assert.True(ServerAddress.Parse("a:1") != ServerAddress.Parse("b:1"));
    }

    [Fact]
    public void Parts_are_checked_like_the_text()
    {
        Assert.Equal("[::1]:7001", new ServerAddress("::1", 7001).ToString());
        Assert.True(ServerAddress.TryCreate("10.0.0.1", 7001, out ServerAddress created));
        Assert.Equal("10.0.0.1:7001", created.ToString());
        Assert.False(ServerAddress.TryCreate("10.0.0.1", 0, out _));
        Assert.False(ServerAddress.TryCreate("", 1, out _));
        Assert.False(ServerAddress.TryCreate(null, 1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerAddress("a", 70000));
        Assert.Throws<ArgumentException>(() => new ServerAddress("a b", 1));
        Assert.Equal("", default(ServerAddress).ToString());
    }
}
