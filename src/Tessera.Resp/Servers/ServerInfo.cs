using System.Globalization;

namespace Tessera.Resp.Servers;

/// <summary>
/// The text of an <c>INFO</c> reply, parsed: <c># Section</c> headers and <c>field:value</c> lines, <c>\r\n</c>
/// or <c>\n</c> line ends. Field names are case-sensitive as Redis writes them; section names are not
/// (<c>INFO replication</c> answers <c># Replication</c>). A field that appears twice keeps its last value.
/// </summary>
public sealed class ServerInfo
{
    private readonly Dictionary<string, string> _fields;
    private readonly Dictionary<string, Dictionary<string, string>> _sections;

    private ServerInfo(Dictionary<string, string> fields, Dictionary<string, Dictionary<string, string>> sections, IReadOnlyList<string> sectionNames)
    {
        _fields = fields;
        _sections = sections;
        SectionNames = sectionNames;
    }

    /// <summary>Every field of every section.</summary>
    public IReadOnlyDictionary<string, string> Fields => _fields;

    /// <summary>The section names in the order the reply has them ("Server", "Replication").</summary>
    public IReadOnlyList<string> SectionNames { get; }

    /// <summary>A field's value, or null when the reply does not have it.</summary>
    public string? this[string field] => _fields.TryGetValue(field, out string? value) ? value : null;

    /// <summary>Parses the text of an INFO reply; lines that are neither a header nor <c>field:value</c> are skipped.</summary>
    public static ServerInfo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>();
        Dictionary<string, string>? section = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                string name = line[1..].Trim();
                if (!sections.TryGetValue(name, out section))
                {
                    sections[name] = section = new Dictionary<string, string>(StringComparer.Ordinal);
                    names.Add(name);
                }

                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                string field = line[..colon];
                string value = line[(colon + 1)..];
                fields[field] = value;
                if (section is not null)
                {
                    section[field] = value;
                }
            }
        }

        return new ServerInfo(fields, sections, names);
    }

    /// <summary>The fields of one section (case-insensitive name, "replication"); empty when the reply has no such section.</summary>
    public IReadOnlyDictionary<string, string> Section(string name) =>
        _sections.TryGetValue(name, out Dictionary<string, string>? section) ? section : EmptySection;

    /// <summary>A field as a whole number (an optional sign and digits), or null when absent or not a number.</summary>
    public long? Int64(string field) =>
        long.TryParse(this[field], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;

    /// <summary>A field as a 32-bit whole number, or null when absent, not a number or out of range.</summary>
    public int? Int32(string field) =>
        int.TryParse(this[field], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value : null;

    /// <summary>
    /// For a replica, the master it follows (<c>master_host</c> and <c>master_port</c> of INFO replication); null
    /// when the reply has no master, or one that is not a valid address.
    /// </summary>
    public ServerAddress? MasterAddress =>
        Int32("master_port") is { } port && ServerAddress.TryCreate(this["master_host"], port, out ServerAddress master) ? master : null;

    private static readonly Dictionary<string, string> EmptySection = new(StringComparer.Ordinal);
}
