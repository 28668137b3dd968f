using System.Buffers;
using System.Net;
using System.Text;
using Tessera.Proxy;
using Tessera.Proxy.Net;
using Tessera.Resp.Protocol;
using Tessera.Proxy.Tests.Support;

namespace Tessera.Proxy.Tests.Net;

/// <summary>The PROXY protocol header, parsed alone, and in front of real client connections to a proxy that requires it.</summary>
public sealed class ProxyProtocolTests : IAsyncLifetime
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private readonly ProxyCluster _cluster = new(1, 0, new ProxyOptions { AcceptProxyProtocol = true, RequestTimeout = TimeSpan.FromSeconds(1) });

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 51234 19000\r\n", "203.0.113.7:51234")]
    [InlineData("PROXY TCP6 2001:db8::7 2001:db8::1 40000 19000\r\n", "[2001:db8::7]:40000")]
    [InlineData("PROXY UNKNOWN\r\n", null)]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", null)]
    public void A_v1_header_names_the_client(string header, string? expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(header + "PING\r\n");
        Assert.Equal(ParseStatus.Complete, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(bytes), out int length, out var source, out _));
        Assert.Equal(header.Length, length);
        Assert.Equal(expected, source?.ToString());

        // Every shorter prefix asks for more.
        for (int n = 1; n < header.Length; n++)
        {
            Assert.Equal(ParseStatus.Incomplete, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(bytes, 0, n), out _, out _, out _));
        }
    }

    [Theory]
    [InlineData("PING\r\n", "did not start with a PROXY protocol header")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 51234\r\n", "is not \"PROXY TCP4|TCP6")]
    [InlineData("PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n", "invalid TCP4 source")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 99999 19000\r\n", "invalid TCP4 source")]
    [InlineData("PROXY TCP4 203.0.113.7 10.0.0.1 1 2\n", "does not end with CRLF")]
    public void A_malformed_v1_header_says_what_is_wrong(string header, string expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(header);
        Assert.Equal(ParseStatus.Error, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(bytes), out _, out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v1_header_without_an_end_is_refused_at_its_length_limit()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 200));
        Assert.Equal(ParseStatus.Error, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(bytes), out _, out _, out string? error));
        Assert.Contains("longer than 107 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v2_header_names_the_client_and_local_keeps_the_socket_address()
    {
        byte[] v4 = V2(0x21, 0x11, [203, 0, 113, 7, 10, 0, 0, 1, 0xC8, 0x22, 0x4A, 0x38], tlvs: 7);
        Assert.Equal(ParseStatus.Complete, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(v4), out int length, out var source, out _));
        Assert.Equal(v4.Length, length);
        Assert.Equal("203.0.113.7:51234", source!.ToString());

        byte[] address6 = new byte[36];
        IPAddress.Parse("2001:db8::7").GetAddressBytes().CopyTo(address6, 0);
        address6[32] = 0x9C;
        address6[33] = 0x40;
        Assert.Equal(ParseStatus.Complete, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(V2(0x21, 0x21, address6)), out _, out source, out _));
        Assert.Equal("[2001:db8::7]:40000", source!.ToString());

        Assert.Equal(ParseStatus.Complete, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(V2(0x20, 0x00, [])), out length, out source, out _));
        Assert.Equal(16, length);
        Assert.Null(source);

        for (int n = 1; n < v4.Length; n++)
        {
            Assert.Equal(ParseStatus.Incomplete, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(v4, 0, n), out _, out _, out _));
        }

        Assert.Equal(ParseStatus.Error, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(V2(0x31, 0x11, new byte[12])), out _, out _, out string? error));
        Assert.Contains("version 3", error, StringComparison.Ordinal);
        Assert.Equal(ParseStatus.Error, ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(V2(0x21, 0x31, new byte[12])), out _, out _, out error));
        Assert.Contains("0x31", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_behind_a_load_balancer_are_seen_at_their_own_address()
    {
        await using (var c = await RawConnection.ConnectAsync(_cluster.Port))
        {
            await c.SendAsync("PROXY TCP4 203.0.113.7 127.0.0.1 51234 19000\r\n");
            await c.SendAsync(RawConnection.Command("CLIENT", "INFO"));
            Assert.Contains("addr=203.0.113.7:51234 ", (await c.ReadAsync())!.AsString(), StringComparison.Ordinal);
            await c.SendAsync(RawConnection.Command("SET", "pp", "v"));
            Reply.Ok((await c.ReadAsync())!);
        }

        await using (var c = await RawConnection.ConnectAsync(_cluster.Port))
        {
            // A v2 header and the first command in one write.
            byte[] header = V2(0x21, 0x21, [.. IPAddress.Parse("2001:db8::7").GetAddressBytes(), .. new byte[16], 0x9C, 0x40, 0x4A, 0x38]);
            await c.SendAsync(header.Concat(RawConnection.Command("CLIENT", "INFO")).ToArray());
            Assert.Contains("addr=[2001:db8::7]:40000 ", (await c.ReadAsync())!.AsString(), StringComparison.Ordinal);
            await c.SendAsync(RawConnection.Command("GET", "pp"));
            Reply.Text("v", (await c.ReadAsync())!);
        }
    }

    [Fact]
    public async Task A_connection_without_a_header_is_told_why_and_closed()
    {
        await using (var c = await RawConnection.ConnectAsync(_cluster.Port))
        {
            await c.SendAsync(RawConnection.Command("PING"));
            Reply.Error("ERR the connection did not start with a PROXY protocol header", (await c.ReadAsync())!);
            Assert.Null(await c.ReadAsync(TimeSpan.FromSeconds(5)));
        }

        // Nothing at all: refused after the request timeout (1 s here).
        await using (var c = await RawConnection.ConnectAsync(_cluster.Port))
        {
            Reply.Error("ERR no PROXY protocol header within 1000 ms", (await c.ReadAsync(TimeSpan.FromSeconds(5)))!);
        }
    }

    /// <summary>A v2 header: signature, version/command, family/protocol, length, then the address block and <paramref name="tlvs"/> bytes of TLVs.</summary>
    private static byte[] V2(byte versionCommand, byte family, byte[] addresses, int tlvs = 0)
    {
        int body = addresses.Length + tlvs;
        return [.. V2Signature, versionCommand, family, (byte)(body >> 8), (byte)body, .. addresses, .. new byte[tlvs]];
    }
}
