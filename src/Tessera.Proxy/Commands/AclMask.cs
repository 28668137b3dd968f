using Tessera.Model.Tenants;
using Tessera.Resp.Commands;

namespace Tessera.Proxy.Commands;

/// <summary>
/// Permissions as bits, so the per-command check is one AND of the command's mask with the session's denied mask:
/// one bit per ACL category (<see cref="AclCategories.All"/>, in its order), and <see cref="ReadOnlyRefused"/> for
/// the commands a read-only user or a read-only namespace may not run.
/// </summary>
internal static class AclMask
{
    /// <summary>Writes (@write), and the scripts that may write (EVAL, EVALSHA, FCALL; their _RO forms are reads).</summary>
    public const ulong ReadOnlyRefused = 1UL << 63;

    /// <summary>The bits of <paramref name="spec"/>: its categories, and <see cref="ReadOnlyRefused"/> when it may write.</summary>
    public static ulong Of(CommandSpec spec)
    {
        ulong mask = 0;
        foreach (var category in spec.AclCategories)
        {
            mask |= Category(category);
        }

        // A script runs its commands on the proxy's backend connection, where the user's permissions cannot follow
        // it: a read-only user runs the read-only forms, which Redis itself keeps from writing.
        if ((mask & Category("@write")) != 0 || spec.Name is "eval" or "evalsha" or "fcall")
        {
            mask |= ReadOnlyRefused;
        }

        return mask;
    }

    /// <summary>The bit of one category ("@admin"); 0 for a name Redis does not have.</summary>
    public static ulong Category(string category)
    {
        int index = -1;
        var all = AclCategories.All;
        for (int i = 0; i < all.Count; i++)
        {
            if (string.Equals(all[i], category, StringComparison.OrdinalIgnoreCase))
            {
                index = i;
                break;
            }
        }

        return index < 0 ? 0 : 1UL << index;
    }

    /// <summary>The denied mask of a user: its denied categories, and <see cref="ReadOnlyRefused"/> when it is read-only.</summary>
    public static ulong Denied(NamespaceUser user)
    {
        ulong mask = user.Access == UserAccess.ReadOnly ? ReadOnlyRefused : 0;
        foreach (var category in user.DeniedCategories)
        {
            mask |= Category(category);
        }

        return mask;
    }

    /// <summary>The first of <paramref name="spec"/>'s categories that <paramref name="denied"/> holds, for the refusal's wording.</summary>
    public static string? FirstDenied(CommandSpec spec, ulong denied)
    {
        foreach (var category in spec.AclCategories)
        {
            if ((Category(category) & denied) != 0)
            {
                return category;
            }
        }

        return null;
    }
}
