namespace Tessera.Resp.Keys;

/// <summary>
/// Redis's glob-style match (util.c stringmatchlen), as KEYS, SCAN MATCH, PSUBSCRIBE and COMMAND LIST FILTERBY
/// PATTERN use it: <c>*</c> any run, <c>?</c> one byte, <c>[abc]</c> <c>[^abc]</c> <c>[a-z]</c> classes (a
/// reversed range matches as if written in order), <c>\x</c> a literal x; an unclosed class ends at the pattern's end.
/// A star matches at least one byte where it is not the pattern's last (Redis tries no empty rest).
/// </summary>
/// <remarks>
/// Written here because .NET's matchers differ from Redis's: FileSystemName knows only <c>*</c> and <c>?</c>, and
/// regular expressions would need a translation that gets Redis's escape and class rules wrong at the edges.
/// </remarks>
public static class GlobPattern
{
    /// <summary>True when <paramref name="text"/> matches <paramref name="pattern"/>; <paramref name="ignoreCase"/> folds ASCII letters.</summary>
    /// <remarks>As in Redis, an empty text matches only an empty pattern (KEYS * lists an empty key only because it skips matching).</remarks>
    public static bool Matches(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
    {
        if (text.IsEmpty)
        {
            return pattern.IsEmpty;
        }

        while (!pattern.IsEmpty)
        {
            switch (pattern[0])
            {
                case (byte)'*':
                    while (pattern.Length > 1 && pattern[1] == (byte)'*')
                    {
                        pattern = pattern[1..];
                    }

                    if (pattern.Length == 1)
                    {
                        return true;
                    }

                    for (int i = 0; i < text.Length; i++)
                    {
                        if (Matches(pattern[1..], text[i..], ignoreCase))
                        {
                            return true;
                        }
                    }

                    return false;
                case (byte)'?':
                    if (text.IsEmpty)
                    {
                        return false;
                    }

                    text = text[1..];
                    pattern = pattern[1..];
                    break;
                case (byte)'[':
                    if (text.IsEmpty || !MatchClass(ref pattern, text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    break;
                default:
                    if (pattern[0] == (byte)'\\' && pattern.Length >= 2)
                    {
                        pattern = pattern[1..];
                    }

                    if (text.IsEmpty || !Same(pattern[0], text[0], ignoreCase))
                    {
                        return false;
                    }

                    text = text[1..];
                    pattern = pattern[1..];
                    break;
            }

            if (text.IsEmpty)
            {
                // Only stars may be left.
                while (!pattern.IsEmpty && pattern[0] == (byte)'*')
                {
                    pattern = pattern[1..];
                }

                return pattern.IsEmpty;
            }
        }

        return text.IsEmpty;
    }

    /// <summary>Matches <paramref name="c"/> against the class at the head of <paramref name="pattern"/> and moves past it.</summary>
    private static bool MatchClass(ref ReadOnlySpan<byte> pattern, byte c, bool ignoreCase)
    {
        pattern = pattern[1..];
        bool not = !pattern.IsEmpty && pattern[0] == (byte)'^';
        if (not)
        {
            pattern = pattern[1..];
        }

        bool match = false;
        while (!pattern.IsEmpty && pattern[0] != (byte)']')
        {
            if (pattern[0] == (byte)'\\' && pattern.Length >= 2)
            {
                pattern = pattern[1..];
                match |= Same(pattern[0], c, ignoreCase);
            }
            else if (pattern.Length >= 3 && pattern[1] == (byte)'-')
            {
                byte start = pattern[0], end = pattern[2];
                if (start > end)
                {
                    (start, end) = (end, start);
                }

                byte x = c;
                if (ignoreCase)
                {
                    start = Lower(start);
                    end = Lower(end);
                    x = Lower(x);
                }

                match |= x >= start && x <= end;
                pattern = pattern[2..];
            }
            else
            {
                match |= Same(pattern[0], c, ignoreCase);
            }

            pattern = pattern[1..];
        }

        if (!pattern.IsEmpty)
        {
            pattern = pattern[1..]; // the ']'
        }

        return not ? !match : match;
    }

    private static bool Same(byte a, byte b, bool ignoreCase) => a == b || (ignoreCase && Lower(a) == Lower(b));

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
