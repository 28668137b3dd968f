using System.Security.Cryptography;
using System.Text;

namespace Tessera.Proxy.Cluster;

/// <summary>
/// One proxy as the cluster face lists it: its Redis Cluster node id, the address clients are told to reach, and its
/// config epoch (the store revision that created its registration: the same on every proxy that reads it).
/// </summary>
internal sealed record ClusterMember(string NodeId, string Host, int Port, long Epoch)
{
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
