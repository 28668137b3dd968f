using System.Security.Cryptography;
using System.Text;

namespace Tessera.Proxy.Cluster;

/// <summary>
/// One proxy as the cluster face lists it: its Redis Cluster node id, the address clients are told to reach, and its
/// config epoch (the store revision that created its registration: the same on every proxy that reads it); also the
/// port of its TLS listener when that is a second listener next to a plain one, and its zone.
/// </summary>
internal sealed record ClusterMember(string NodeId, string Host, int Port, long Epoch)
{
    /// <summary>
    /// The port TLS clients reach this proxy on: its <see cref="ProxyOptions.TlsListen"/> port, or <see cref="Port"/>
    /// when that listener itself speaks TLS; null when the proxy serves no TLS.
    /// </summary>
    public int? TlsPort { get; init; }

    /// <summary>True when <see cref="Port"/> speaks TLS (the proxy has no plain listener).</summary>
    public bool TlsOnly { get; init; }

    /// <summary>True when a client of the given transport can use this proxy (it has a listener of that transport).</summary>
    public bool Serves(bool tls) => tls ? TlsPort is not null : !TlsOnly;

    /// <summary>The proxy's zone (<see cref="ProxyOptions.Zone"/>), for the zone-scoped table; null without one.</summary>
    public string? Zone { get; init; }

    /// <summary>
    /// The port a client of the given transport is told: a TLS connection gets <see cref="TlsPort"/>, a plain one
    /// <see cref="Port"/>. Decision (as redis-server with tls-cluster on gives a TLS connection the tls-port): a client
    /// that came over TLS keeps TLS on every node it is sent to, a plain client stays plain; proxies that do not serve
    /// the connection's transport are not in its table at all (<see cref="ClusterFace.TableFor"/>).
    /// </summary>
    public int PortFor(bool tls) => tls && TlsPort is { } tlsPort ? tlsPort : Port;

    /// <summary>
    /// The member for registration <paramref name="registrationId"/> reachable at <paramref name="address"/> (host:port,
    /// or [v6]:port). Null when the address has no port.
    /// </summary>
    public static ClusterMember? From(string registrationId, string address, long epoch)
    {
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port is <= 0 or > 65535)
        {
            return null;
        }

        string host = address[..colon];
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            host = host[1..^1];
        }

        return new ClusterMember(NodeIdOf(registrationId), host, port, epoch);
    }

    /// <summary>
    /// A Redis Cluster node id (40 lowercase hex digits) for a proxy registration: the SHA-1 of its id, so every proxy
    /// names every other the same way without asking it, and a proxy keeps its node id for as long as it runs.
    /// </summary>
    public static string NodeIdOf(string registrationId) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(registrationId)));
}
