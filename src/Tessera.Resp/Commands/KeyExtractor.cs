using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Commands;

/// <summary>Finds which arguments of a request are keys, from the command's Redis 7 key specs (no per-command rules, except where Redis's own specs are incomplete).</summary>
/// <remarks>
/// This is Redis 7's own algorithm (db.c getKeysUsingKeySpecs): each key spec finds its first key by a fixed
/// index or by searching for a keyword (forwards from startfrom, or backwards from the end when startfrom is
/// negative), then the rest either as a range (lastkey relative to the first key, -1 = the end, with a limit that
/// divides the remaining arguments) or as a key count argument followed by the keys. The few specs Redis 7.0
/// itself marks INCOMPLETE or "unknown" (SORT's STORE/BY/GET, MIGRATE's KEYS) are completed the way Redis
/// completes them, by the command's own argument rules (see KeyExtractor.Fallbacks.cs).
/// </remarks>
public static partial class KeyExtractor
{
    /// <summary>
    /// Writes the argument indexes of every key of <paramref name="frame"/> into <paramref name="destination"/>
    /// (which must hold at least <see cref="RequestFrame.Count"/> entries), in argument order, and returns how many.
    /// Returns -1 when the arguments do not fit the key specs (e.g. a key count larger than the arguments),
    /// which Redis would answer with a syntax or arity error; the caller forwards or refuses accordingly.
    /// Specs flagged NOT_KEY are skipped. A container spec (OBJECT, XINFO...) is resolved to the subcommand
    /// named by argument 1 first. Allocates nothing.
    /// </summary>
    public static int GetKeyIndexes(CommandSpec spec, RequestFrame frame, Span<int> destination) => GetKeys(spec, frame, destination, []);

    /// <summary>
    /// <see cref="GetKeyIndexes(CommandSpec, RequestFrame, Span{int})"/>, also writing into <paramref name="keySpecs"/>
    /// (at least <see cref="RequestFrame.Count"/> entries) the key spec each key was found by, whose flags
    /// <c>COMMAND GETKEYSANDFLAGS</c> reports; null for keys found by a command's own argument rules (SORT, MIGRATE).
    /// </summary>
    public static int GetKeyIndexes(CommandSpec spec, RequestFrame frame, Span<int> destination, Span<KeySpec?> keySpecs)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (keySpecs.Length < frame.Count)
        {
            throw new ArgumentException($"keySpecs holds {keySpecs.Length} entries but the request has {frame.Count} arguments", nameof(keySpecs));
        }

        keySpecs[..frame.Count].Clear();
        return GetKeys(spec, frame, destination, keySpecs);
    }

    private static int GetKeys(CommandSpec spec, RequestFrame frame, Span<int> destination, Span<KeySpec?> keySpecs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(frame);
        int argc = frame.Count;
        if (destination.Length < argc)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} indexes but the request has {argc} arguments; size it to at least RequestFrame.Count.",
                nameof(destination));
        }

        if (spec.HasSubcommands && argc > 1)
        {
            spec = spec.FindSubcommand(frame.ArgSpan(1)) ?? spec;
        }

        switch (spec.KeyFallback)
        {
            case KeyFallback.Sort: return SortKeys(frame, destination);
            case KeyFallback.SortReadOnly: return argc < 2 ? -1 : Add(destination, 0, 1);
            case KeyFallback.Migrate: return MigrateKeys(frame, destination);
        }

        int count = 0;
        foreach (var keySpec in spec.KeySpecSpan)
        {
            if (!keySpec.IsKey)
            {
                continue;
            }

            int before = count;
            count = AddKeys(keySpec, frame, destination, count);
            if (count < 0)
            {
                return -1;
            }

            if (!keySpecs.IsEmpty)
            {
                keySpecs[before..count].Fill(keySpec);
            }
        }

        return count;
    }

    /// <summary>Applies one key spec; returns the new key count, or -1 when the arguments do not fit it.</summary>
    private static int AddKeys(KeySpec keySpec, RequestFrame frame, Span<int> destination, int count)
    {
        int argc = frame.Count;
        int first;
        switch (keySpec.BeginSearch)
        {
            case BeginSearchKind.Index:
                first = keySpec.Index;
                break;
            case BeginSearchKind.Keyword:
                first = FindKeyword(keySpec, frame);
                if (first == 0)
                {
                    // An optional keyword (GEORADIUS STORE) that is absent: no keys from this spec.
                    return count;
                }

                break;
            default:
                // "unknown": nothing can be found from the spec alone (best effort: the keys other specs find).
                return count;
        }

        int last;
        int step = Math.Max(1, keySpec.KeyStep);
        switch (keySpec.FindKeys)
        {
            case FindKeysKind.Range:
                if (keySpec.LastKey >= 0)
                {
                    last = first + keySpec.LastKey;
                }
                else if (keySpec.Limit <= 0)
                {
                    last = argc + keySpec.LastKey;
                }
                else
                {
                    // XREAD ... STREAMS k1 k2 id1 id2: the keys are the first 1/limit of what follows.
                    last = first + ((argc - first) / keySpec.Limit) + keySpec.LastKey;
                }

                break;
            case FindKeysKind.Keynum:
                int countIndex = first + keySpec.KeyNumIndex;
                if (countIndex >= argc || !frame.TryGetInt64(countIndex, out long keyCount) || keyCount < 0 || keyCount > argc)
                {
                    return -1;
                }

                first += keySpec.FirstKey;
                if (keyCount == 0)
                {
                    // EVAL script 0 / FCALL f 0: no keys (Redis reaches the same answer through the command's own rule).
                    return count;
                }

                last = first + (int)keyCount - 1;
                break;
            default:
                return count;
        }

        if (first < 1 || first >= argc || last >= argc || last < first)
        {
            return -1;
        }

        for (int i = first; i <= last; i += step)
        {
            count = Add(destination, count, i);
        }

        return count;
    }

    /// <summary>Redis's keyword search; returns the index after the keyword, or 0 when it is absent.</summary>
    private static int FindKeyword(KeySpec keySpec, RequestFrame frame)
    {
        int argc = frame.Count;
        string keyword = keySpec.Keyword ?? "";
        int start = keySpec.StartFrom > 0 ? keySpec.StartFrom : argc + keySpec.StartFrom;
        int end = keySpec.StartFrom > 0 ? argc - 1 : 0;
        int direction = start <= end ? 1 : -1;

        // Like Redis, the end index itself is not examined: a keyword in last place has no key after it.
        for (int i = start; i != end; i += direction)
        {
            if (i >= argc || i < 1)
            {
                break;
            }

            if (frame.ArgLength(i) == keyword.Length && Ascii.EqualsIgnoreCase(frame.ArgSpan(i), keyword))
            {
                return i + 1;
            }
        }

        return 0;
    }

    /// <summary>Inserts <paramref name="index"/> keeping destination[..count] sorted and unique; returns the new count.</summary>
    private static int Add(Span<int> destination, int count, int index)
    {
        // Keys mostly arrive in increasing order, so the scan from the end usually stops at once.
        int position = count;
        while (position > 0 && destination[position - 1] > index)
        {
            position--;
        }

        if (position > 0 && destination[position - 1] == index)
        {
            return count;
        }

        if (position < count)
        {
            destination[position..count].CopyTo(destination[(position + 1)..]);
        }

        destination[position] = index;
        return count + 1;
    }
}
