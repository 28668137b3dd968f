using System.Globalization;

namespace Tessera.Resp.Servers;

/// <summary>
/// A redis-server's address as Tessera writes it everywhere (topology files, namespace documents, the API, the
/// CLI): <c>host:port</c>, with IPv6 literals in brackets (<c>[::1]:6379</c>). <see cref="Host"/> is kept as
/// written, a name or an IP literal, without brackets; equality ignores the case of host names, as DNS does.
/// </summary>
/// <remarks>
/// It lives in the RESP library, which depends on nothing, so that the client, the model's validator, the proxy
/// and the controller can all share it without the library taking a dependency.
/// </remarks>
public readonly struct ServerAddress : IEquatable<ServerAddress>
{
    /// <summary>How the parse errors show the form expected.</summary>
    public const string Form = "host:port, e.g. 127.0.0.1:6379 (IPv6 as [::1]:6379, port 1..65535)";

    private readonly string? _host;

    /// <summary>An address from its parts; <paramref name="host"/> without brackets.</summary>
    /// <exception cref="ArgumentException">The host is empty or holds spaces, or the port is not 1..65535.</exception>
    public ServerAddress(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (!IsHost(host))
        {
            throw new ArgumentException($"'{host}' is not a host name or IP literal (no spaces, no brackets)", nameof(host));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        _host = host;
        Port = port;
    }

    /// <summary>The host name or IP literal (IPv6 without brackets); "" for <c>default</c>.</summary>
    public string Host => _host ?? "";

    /// <summary>The TCP port, 1..65535 (0 for <c>default</c>).</summary>
    public int Port { get; }

    /// <summary>
    /// Parses <c>host:port</c> (IPv6 as <c>[::1]:port</c>). False when the host is empty or holds spaces, an
    /// IPv6 literal is not in brackets (<c>::1:6379</c> is ambiguous), or the port is not 1..65535 written in digits.
    /// </summary>
    public static bool TryParse(string? text, out ServerAddress address)
    {
        address = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        string host = text[..colon];
        if (host.StartsWith('['))
        {
            if (!host.EndsWith(']') || host.Length < 3)
            {
                return false;
            }

            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        return int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            && TryCreate(host, port, out address);
    }

    /// <summary>An address from its parts (<paramref name="host"/> without brackets); false where the constructor would throw.</summary>
    public static bool TryCreate(string? host, int port, out ServerAddress address)
    {
        address = host is { Length: > 0 } && IsHost(host) && port is >= 1 and <= 65535 ? new ServerAddress(host, port) : default;
        return address.Port != 0;
    }

    /// <summary>Parses <c>host:port</c>; see <see cref="TryParse"/>.</summary>
    /// <exception cref="FormatException">It is not <c>host:port</c>; the message shows the form expected.</exception>
    public static ServerAddress Parse(string? text) =>
        TryParse(text, out ServerAddress address) ? address : throw new FormatException($"'{text}' is not a server address: write {Form}");

    /// <summary><c>host:port</c>, brackets around an IPv6 literal, so that <see cref="Parse"/> reads it back.</summary>
    public override string ToString()
    {
        if (_host is null)
        {
            return "";
        }

        string port = Port.ToString(CultureInfo.InvariantCulture);
        return _host.Contains(':', StringComparison.Ordinal) ? $"[{_host}]:{port}" : $"{_host}:{port}";
    }

    public bool Equals(ServerAddress other) => Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => obj is ServerAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);

    public static bool operator ==(ServerAddress left, ServerAddress right) => left.Equals(right);

    public static bool operator !=(ServerAddress left, ServerAddress right) => !left.Equals(right);

    private static bool IsHost(string host) => !host.Any(char.IsWhiteSpace) && !host.StartsWith('[');
}
