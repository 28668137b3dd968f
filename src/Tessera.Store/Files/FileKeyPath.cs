using System.Text;

namespace Tessera.Store.Files;

/// <summary>
/// Maps store keys to files below the file store's <c>keys/</c> folder, mirroring the key's path so the
/// folder can be browsed: "/tessera/namespaces/default" → <c>tessera/namespaces/default.json</c>.
/// </summary>
/// <remarks>
/// Each segment keeps letters, digits and <c>- _ . : @ = + , ~</c>; every other byte of its UTF-8 form is
/// written as %XX. Two more escapes make the mapping collision-free: a leading '.' (so "." and ".." and our
/// hidden temp files can never be a segment) and the '.' of a segment ending in ".json" (so the document
/// of key "/a/b" never shares a name with the folder of keys below "/a/b.json/").
/// </remarks>
internal static class FileKeyPath
{
    public const string Extension = ".json";

    /// <summary>The document path of <paramref name="key"/>, relative to the keys folder.</summary>
    public static string ToRelativePath(string key)
    {
        string[] segments = key[1..].Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = EncodeSegment(segments[i]);
        }

        return Path.Combine(segments) + Extension;
    }

    /// <summary>
    /// The folder (relative to the keys folder, "" for the root) that holds every document whose key starts
    /// with <paramref name="prefix"/>: the complete segments before the prefix's last '/'.
    /// </summary>
    public static string DirectoryForPrefix(string prefix)
    {
        int lastSlash = prefix.LastIndexOf('/');
        if (lastSlash <= 0)
        {
            return "";
        }

        string[] segments = prefix[1..lastSlash].Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = EncodeSegment(segments[i]);
        }

        return Path.Combine(segments);
    }

    /// <summary>The key stored at <paramref name="relativePath"/>; false for files that are not documents (temp files, strays).</summary>
    public static bool TryGetKey(string relativePath, out string key)
    {
        key = "";
        if (!relativePath.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        string[] segments = relativePath[..^Extension.Length].Split(Path.DirectorySeparatorChar);
        var builder = new StringBuilder(relativePath.Length + 1);
        foreach (string segment in segments)
        {
            if (segment.Length == 0 || segment[0] == '.' || !TryDecodeSegment(segment, out string decoded))
            {
                return false;
            }

            builder.Append('/').Append(decoded);
        }

        key = builder.ToString();
        return true;
    }

    internal static string EncodeSegment(string segment)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(segment);
        var builder = new StringBuilder(utf8.Length + 8);
        for (int i = 0; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            bool keep = IsSafe(b) && !(i == 0 && b == (byte)'.');
            if (keep)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (builder.Length >= Extension.Length && builder.ToString(builder.Length - Extension.Length, Extension.Length) == Extension)
        {
            int dot = builder.Length - Extension.Length;
            builder.Remove(dot, 1).Insert(dot, "%2E");
        }

        return builder.ToString();
    }

    private static bool TryDecodeSegment(string segment, out string decoded)
    {
        decoded = "";
        var bytes = new List<byte>(segment.Length);
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            if (c == '%')
            {
                if (i + 2 >= segment.Length || !byte.TryParse(segment.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out byte b))
                {
                    return false;
                }

                bytes.Add(b);
                i += 2;
            }
            else if (c < 128 && IsSafe((byte)c))
            {
                bytes.Add((byte)c);
            }
            else
            {
                return false;
            }
        }

        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsSafe(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'_' or (byte)'.' or (byte)':' or (byte)'@' or (byte)'=' or (byte)'+' or (byte)',' or (byte)'~';
}
