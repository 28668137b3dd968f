using System.Net;
using System.Net.Sockets;

namespace Tessera.Model.Tenants;

/// <summary>
/// A namespace's IP allow-list: CIDR networks (IPv4 and IPv6; a bare address means that one address). Empty means
/// every address may connect.
/// </summary>
public static class AllowList
{
    /// <summary>Most entries a namespace may list; more belongs in a firewall.</summary>
    public const int MaxEntries = 256;

    /// <summary>The network <paramref name="entry"/> names, or null with the reason in <paramref name="problem"/>.</summary>
    public static IPNetwork? Parse(string? entry, out string? problem)
    {
        problem = null;
        var text = entry?.Trim() ?? "";
        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            text += single.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32";
        }

        // A base address with bits set beyond the prefix ("10.1.2.3/8") is a typo worth naming, not a network to guess.
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (IPNetwork.TryParse(text, out var network) && slash > 0 && IPAddress.TryParse(text[..slash], out var given) && given.Equals(network.BaseAddress))
        {
            return network;
        }

        problem = $"'{entry}' is not an address or CIDR network (e.g. 10.0.0.0/8, 192.168.1.7, 2001:db8::/32; the address must be the network's first, e.g. 10.0.0.0/8 not 10.1.2.3/8)";
        return null;
    }

    /// <summary>Every problem of <paramref name="entries"/>, for validators.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<string> entries)
    {
        if (entries.Count > MaxEntries)
        {
            yield return $"the allow-list has {entries.Count} entries; at most {MaxEntries} are allowed (merge them into wider networks)";
        }

        foreach (var entry in entries)
        {
            if (Parse(entry, out var problem) is null)
            {
                yield return problem!;
            }
        }
    }

    /// <summary>True when <paramref name="address"/> is in one of <paramref name="networks"/>, or the list is empty.</summary>
    public static bool Allows(IReadOnlyList<IPNetwork> networks, IPAddress? address)
    {
        if (networks.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
