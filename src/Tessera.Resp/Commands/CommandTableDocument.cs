using System.Text.Json.Serialization;

namespace Tessera.Resp.Commands;

// The shape of redis-commands.json. Field names follow Redis's own reply keys so the file reads like
// COMMAND INFO / COMMAND DOCS; absent optional fields are omitted (null), lists Redis always sends are kept even when empty.

/// <summary>Root of redis-commands.json.</summary>
internal sealed class CommandTableDocument
{
    /// <summary>redis_version of the server the table was generated from (INFO server).</summary>
    public required string RedisVersion { get; set; }
    public string? GeneratedBy { get; set; }
    public List<CommandEntry> Commands { get; set; } = [];
}

/// <summary>One COMMAND INFO entry, with its COMMAND DOCS entry under "docs".</summary>
internal sealed class CommandEntry
{
    public required string Name { get; set; }
    public int Arity { get; set; }
    public List<string> Flags { get; set; } = [];
    public int FirstKey { get; set; }
    public int LastKey { get; set; }
    public int Step { get; set; }
    public List<string> AclCategories { get; set; } = [];
    public List<string> Tips { get; set; } = [];
    public List<KeySpecEntry> KeySpecs { get; set; } = [];
    public DocsEntry? Docs { get; set; }
    public List<CommandEntry>? Subcommands { get; set; }
}

internal sealed class KeySpecEntry
{
    public string? Notes { get; set; }
    public List<string> Flags { get; set; } = [];
    public required BeginSearchEntry BeginSearch { get; set; }
    public required FindKeysEntry FindKeys { get; set; }
}

/// <summary>begin_search: "index" (index), "keyword" (keyword, startfrom) or "unknown".</summary>
internal sealed class BeginSearchEntry
{
    public required string Type { get; set; }
    public int? Index { get; set; }
    public string? Keyword { get; set; }
    [JsonPropertyName("startfrom")]
    public int? StartFrom { get; set; }
}

/// <summary>find_keys: "range" (lastkey, keystep, limit), "keynum" (keynumidx, firstkey, keystep) or "unknown".</summary>
internal sealed class FindKeysEntry
{
    public required string Type { get; set; }
    [JsonPropertyName("lastkey")]
    public int? LastKey { get; set; }
    [JsonPropertyName("keynumidx")]
    public int? KeyNumIdx { get; set; }
    [JsonPropertyName("firstkey")]
    public int? FirstKey { get; set; }
    [JsonPropertyName("keystep")]
    public int? KeyStep { get; set; }
    public int? Limit { get; set; }
}

internal sealed class DocsEntry
{
    public string? Summary { get; set; }
    public string? Since { get; set; }
    public string? Group { get; set; }
    public string? Complexity { get; set; }
    public List<string>? DocFlags { get; set; }
    public string? DeprecatedSince { get; set; }
    public string? ReplacedBy { get; set; }
    public List<HistoryEntry>? History { get; set; }
    public List<ArgumentEntry>? Arguments { get; set; }
}

internal sealed class HistoryEntry
{
    public required string Since { get; set; }
    public required string Changes { get; set; }
}

internal sealed class ArgumentEntry
{
    public required string Name { get; set; }
    public required string Type { get; set; }
    public string? DisplayText { get; set; }
    public int? KeySpecIndex { get; set; }
    public string? Token { get; set; }
    public string? Summary { get; set; }
    public string? Since { get; set; }
    public string? DeprecatedSince { get; set; }
    public List<string>? Flags { get; set; }
    public string? Value { get; set; }
    public List<ArgumentEntry>? Arguments { get; set; }
}

/// <summary>Source-generated (reflection-free) serializer for the table file.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = true)]
[JsonSerializable(typeof(CommandTableDocument))]
internal sealed partial class CommandTableJsonContext : JsonSerializerContext;
