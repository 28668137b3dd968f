namespace Tessera.Local.Servers;

/// <summary>Parses the text of an <c>INFO</c> reply ("# Section" headers and "field:value" lines).</summary>
public static class RedisInfo
{
    /// <summary>All fields of an INFO reply; section headers and blank lines are skipped.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in info.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }

        return fields;
    }

    /// <summary>One field of an INFO reply, or null when absent.</summary>
    public static string? Field(string info, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Parse(info).TryGetValue(name, out var value) ? value : null;
    }
}
