using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Commands;

/// <summary>How a command whose Redis 7.0 key specs are incomplete finds its keys.</summary>
internal enum KeyFallback
{
    /// <summary>The key specs are complete: use them.</summary>
    None = 0,
    /// <summary>SORT: the key, plus the last STORE destination (its BY/GET spec is "unknown").</summary>
    Sort,
    /// <summary>SORT_RO: only the key (BY/GET patterns are not keys Redis reports).</summary>
    SortReadOnly,
    /// <summary>MIGRATE: the key argument, or with KEYS the keys after it (the KEYS spec is INCOMPLETE).</summary>
    Migrate,
}

// Redis 7.0 answers these commands' keys from hand-written rules (db.c sortGetKeys, sortROGetKeys,
// migrateGetKeys) because their key specs cannot express them; these mirror those rules exactly so the
// proxy routes them as Redis itself would. Every other command uses its key specs only.
public static partial class KeyExtractor
{
    internal static KeyFallback FallbackFor(CommandSpec spec)
    {
        if (!spec.HasIncompleteKeySpecs)
        {
            return KeyFallback.None;
        }

        return spec.Name switch
        {
            "sort" => KeyFallback.Sort,
            "sort_ro" => KeyFallback.SortReadOnly,
            "migrate" => KeyFallback.Migrate,
            _ => KeyFallback.None,
        };
    }

    /// <summary>SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination].</summary>
    private static int SortKeys(RequestFrame frame, Span<int> destination)
    {
        int argc = frame.Count;
        if (argc < 2)
        {
            return -1;
        }

        int store = 0;
        for (int i = 2; i < argc; i++)
        {
            // Options with arguments are skipped whole so a pattern or count named "store" is not taken for the keyword.
            if (IsWord(frame, i, "LIMIT"))
            {
                i += 2;
            }
            else if (IsWord(frame, i, "GET") || IsWord(frame, i, "BY"))
            {
                i += 1;
            }
            else if (IsWord(frame, i, "STORE") && i + 1 < argc)
            {
                // The last STORE wins, as in SORT itself. Like Redis, the loop then looks at the destination as an option.
                store = i + 1;
            }
        }

        int count = Add(destination, 0, 1);
        return store > 0 ? Add(destination, count, store) : count;
    }

    /// <summary>MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username password] [KEYS key ...].</summary>
    private static int MigrateKeys(RequestFrame frame, Span<int> destination)
    {
        int argc = frame.Count;
        if (argc < 6)
        {
            return -1;
        }

        for (int i = 6; i < argc; i++)
        {
            if (IsWord(frame, i, "KEYS"))
            {
                // With KEYS the key argument must be the empty string; otherwise Redis refuses the command.
                if (frame.ArgLength(3) != 0)
                {
                    return -1;
                }

                int count = 0;
                for (int k = i + 1; k < argc; k++)
                {
                    count = Add(destination, count, k);
                }

                return count;
            }

            if (IsWord(frame, i, "AUTH"))
            {
                i += 1;
            }
            else if (IsWord(frame, i, "AUTH2"))
            {
                i += 2;
            }
        }

        return Add(destination, 0, 3);
    }

    private static bool IsWord(RequestFrame frame, int index, string upper) =>
        frame.ArgLength(index) == upper.Length && Ascii.EqualsIgnoreCase(frame.ArgSpan(index), upper);
}
