using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Model.Topology;

/// <summary>
/// A short fingerprint of a namespace's routing table (groups, servers, slot owners and states, and
/// the epoch). Proxies report it; the controller computes it from the store and shows any proxy that
/// disagrees. Both sides use this one function, so equal routes always give equal signatures.
/// </summary>
public static class TopologySignature
{
    /// <summary>16 hex digits: the first 8 bytes of SHA-256 over a canonical text form of <paramref name="ns"/>.</summary>
    public static string Compute(NamespaceConfig ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"ns={ns.Name};epoch={ns.Epoch};");
        foreach (var group in ns.Groups.OrderBy(g => g.Id))
        {
            text.Append(invariant, $"g{group.Id}={group.Master}");
            foreach (var replica in group.Replicas)
            {
                text.Append(',').Append(replica);
            }

            text.Append(';');
        }

        foreach (var range in ns.Slots.OrderBy(r => r.From))
        {
            text.Append(invariant, $"s{range.From}-{range.To}={range.Group}:{range.State}:{range.Target};");
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
