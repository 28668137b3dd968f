using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Net;

/// <summary>
/// The PROXY protocol header (HAProxy's, versions 1 and 2) that a load balancer puts before a client's bytes so
/// that the proxy sees the real client address. Written by hand: Kestrel has no PROXY protocol support and the
/// package mirror serves no maintained parser; the format is small and fixed (haproxy.org/download/2.9/doc/proxy-protocol.txt).
/// </summary>
internal static class ProxyProtocolHeader
{
    /// <summary>Longest v1 header, CRLF included (the specification's bound).</summary>
    public const int MaxV1Length = 107;

    /// <summary>Longest v2 address block plus TLVs accepted (the specification allows 64 KiB; load balancers send a few hundred bytes).</summary>
    public const int MaxV2Body = 2048;

    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    private static readonly byte[] V1Prefix = "PROXY "u8.ToArray();

    /// <summary>
    /// Parses the header at the start of <paramref name="input"/>. On <see cref="ParseStatus.Complete"/>,
    /// <paramref name="length"/> bytes are the header and <paramref name="source"/> is the client (null: keep the
    /// socket's address); on <see cref="ParseStatus.Error"/>, <paramref name="error"/> says what is wrong.
    /// </summary>
    public static ParseStatus TryParse(in ReadOnlySequence<byte> input, out int length, out IPEndPoint? source, out string? error)
    {
        length = 0;
        source = null;
        error = null;
        Span<byte> head = stackalloc byte[16];
        int have = (int)Math.Min(input.Length, head.Length);
        input.Slice(0, have).CopyTo(head);
        head = head[..have];

        if (StartsWithPart(head, V2Signature))
        {
            return have < 16 ? ParseStatus.Incomplete : ParseV2(input, head, out length, out source, out error);
        }

        if (StartsWithPart(head, V1Prefix))
        {
            return have < V1Prefix.Length ? ParseStatus.Incomplete : ParseV1(input, out length, out source, out error);
        }

        error = "the connection did not start with a PROXY protocol header (v1 \"PROXY ...\\r\\n\" or the v2 signature)";
        return ParseStatus.Error;
    }

    /// <summary>True when what is there so far agrees with <paramref name="prefix"/>.</summary>
    private static bool StartsWithPart(ReadOnlySpan<byte> head, ReadOnlySpan<byte> prefix)
    {
        int n = Math.Min(head.Length, prefix.Length);
        return n > 0 && head[..n].SequenceEqual(prefix[..n]);
    }

    private static ParseStatus ParseV1(in ReadOnlySequence<byte> input, out int length, out IPEndPoint? source, out string? error)
    {
        length = 0;
        source = null;
        error = null;
        var window = input.Slice(0, Math.Min(input.Length, MaxV1Length));
        var end = window.PositionOf((byte)'\n');
        if (end is null)
        {
            if (window.Length >= MaxV1Length)
            {
                error = $"PROXY v1 header longer than {MaxV1Length} bytes";
                return ParseStatus.Error;
            }

            return ParseStatus.Incomplete;
        }

        var lineBytes = window.Slice(0, end.Value).ToArray();
        length = lineBytes.Length + 1;
        if (lineBytes.Length == 0 || lineBytes[^1] != (byte)'\r')
        {
            error = "PROXY v1 header does not end with CRLF";
            return ParseStatus.Error;
        }

        string[] parts = Encoding.ASCII.GetString(lineBytes, 0, lineBytes.Length - 1).Split(' ');
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            return ParseStatus.Complete;
        }

        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6"))
        {
            error = "PROXY v1 header is not \"PROXY TCP4|TCP6 <source> <destination> <source port> <destination port>\" or \"PROXY UNKNOWN\"";
            return ParseStatus.Error;
        }

        var family = parts[1] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!IPAddress.TryParse(parts[2], out var address) || address.AddressFamily != family ||
            !ushort.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
        {
            error = $"PROXY v1 header has an invalid {parts[1]} source address or port: '{parts[2]}' '{parts[4]}'";
            return ParseStatus.Error;
        }

        source = new IPEndPoint(address, port);
        return ParseStatus.Complete;
    }

    private static ParseStatus ParseV2(in ReadOnlySequence<byte> input, ReadOnlySpan<byte> head, out int length, out IPEndPoint? source, out string? error)
    {
        length = 0;
        source = null;
        error = null;
        int version = head[12] >> 4;
        int command = head[12] & 0x0F;
        if (version != 2 || command > 1)
        {
            error = $"PROXY v2 header has version {version} and command {command} (expected version 2, command LOCAL or PROXY)";
            return ParseStatus.Error;
        }

        int body = BinaryPrimitives.ReadUInt16BigEndian(head[14..16]);
        if (body > MaxV2Body)
        {
            error = $"PROXY v2 header carries {body} bytes of addresses and TLVs; at most {MaxV2Body} are accepted";
            return ParseStatus.Error;
        }

        if (input.Length < 16 + body)
        {
            return ParseStatus.Incomplete;
        }

        length = 16 + body;
        if (command == 0)
        {
            // LOCAL: the load balancer's own connection (health checks); the socket's address stands.
            return ParseStatus.Complete;
        }

        var addresses = input.Slice(16, body).ToArray();
        switch (head[13])
        {
            case 0x11 when body >= 12: // TCP over IPv4: source, destination (4 bytes each), source port, destination port
                source = new IPEndPoint(new IPAddress(addresses.AsSpan(0, 4)), BinaryPrimitives.ReadUInt16BigEndian(addresses.AsSpan(8, 2)));
                return ParseStatus.Complete;
            case 0x21 when body >= 36: // TCP over IPv6: 16 + 16 bytes, then the ports
                source = new IPEndPoint(new IPAddress(addresses.AsSpan(0, 16)), BinaryPrimitives.ReadUInt16BigEndian(addresses.AsSpan(32, 2)));
                return ParseStatus.Complete;
            case 0x00: // UNSPEC: no address given; keep the socket's
                return ParseStatus.Complete;
            default:
                error = $"PROXY v2 header has address family/protocol 0x{head[13]:X2} with {body} bytes (accepted: TCP over IPv4 or IPv6, or UNSPEC)";
                return ParseStatus.Error;
        }
    }
}
