using System.Net;
using Tessera.Resp.Servers;

namespace Tessera.Controller.Servers;

/// <summary>
/// Whether the address a server reports (a replica's master_host:master_port) names a server of the topology.
/// Health verdicts and the failover both ask this, and must agree.
/// </summary>
internal static class ServerIdentity
{
    /// <summary>
    /// True when two "host:port" name the same server. Equal text, or equal ports with hosts that are not both IP
    /// literals (a host name in the topology and the IP a replica reports are taken as the same).
    /// </summary>
    public static bool SameServer(string? reported, string configured)
    {
        if (reported is null)
        {
            return false;
        }

        if (string.Equals(reported, configured, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!ServerAddress.TryParse(reported, out var first) || !ServerAddress.TryParse(configured, out var second))
        {
            return false;
        }

        return first.Port == second.Port && (!IPAddress.TryParse(first.Host, out _) || !IPAddress.TryParse(second.Host, out _));
    }
}
