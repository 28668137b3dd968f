using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using YamlDotNet.Core;
using YamlDotNet.Serialization.NamingConventions;
using YamlDotNet.Serialization;

namespace Tessera.Proxy.Topology;

/// <summary>
/// Reads, validates and writes topology files (JSON or YAML, camelCase keys), the input of
/// <c>tessera proxy --config</c> and the output of <c>tessera up</c>:
/// <code>
/// epoch: 1
/// namespaces:
///   - name: default
///     groups:
///       - id: 1
///         master: 127.0.0.1:7001
///         replicas: [127.0.0.1:7002]
///       - id: 2
///         master: 127.0.0.1:7003
///     slots:
///       - { from: 0, to: 511, group: 1 }
///       - { from: 512, to: 1023, group: 2 }
/// </code>
/// Every failure is a <see cref="TopologyFileException"/> whose message names the file and each problem.
/// </summary>
public static partial class TopologyFile
{
    private static readonly IDeserializer YamlReader = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private static readonly ISerializer YamlWriter = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .Build();

    /// <summary>The format a path implies: .json is JSON, .yaml and .yml are YAML; anything else throws.</summary>
    public static TopologyFileFormat FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var extension = Path.GetExtension(path).ToUpperInvariant();
        return extension switch
        {
            ".JSON" => TopologyFileFormat.Json,
            ".YAML" or ".YML" => TopologyFileFormat.Yaml,
            _ => throw new TopologyFileException($"{path}: unknown topology file type '{Path.GetExtension(path)}'; name it *.json, *.yaml or *.yml"),
        };
    }

    /// <summary>Reads and validates the topology file at <paramref name="path"/>.</summary>
    public static TopologyConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var format = FormatOf(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyFileException($"{path}: cannot read the topology file: {e.Message}", e);
        }

        return Parse(text, format, path);
    }

    /// <summary>Parses and validates topology text; <paramref name="source"/> names it in error messages.</summary>
    public static TopologyConfig Parse(string text, TopologyFileFormat format, string source = "topology")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var document = format == TopologyFileFormat.Json ? ReadJson(text, source) : ReadYaml(text, source);
        if (document is null)
        {
            throw new TopologyFileException($"{source}: the file is empty; it needs 'epoch' and 'namespaces'") { Problems = ["the file is empty"] };
        }

        var problems = new List<string>();
        var topology = document.ToConfig(problems);
        problems.AddRange(TopologyValidator.Validate(topology));
        if (problems.Count > 0)
        {
            throw Invalid(source, problems);
        }

        return topology;
    }

    /// <summary>The file text of <paramref name="topology"/> (validated first; an invalid topology throws).</summary>
    public static string Serialize(TopologyConfig topology, TopologyFileFormat format, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var problems = TopologyValidator.Validate(topology);
        if (problems.Count > 0)
        {
            throw Invalid("topology to write", problems);
        }

        var document = TopologyFileDocument.From(topology);
        if (format == TopologyFileFormat.Json)
        {
            // JSON has no comments; the comment is for YAML only.
            return JsonSerializer.Serialize(document, TesseraJson.ConfigFile) + "\n";
        }

        var text = new StringBuilder();
        if (comment is not null)
        {
            foreach (var line in comment.Split('\n'))
            {
                text.Append("# ").Append(line.TrimEnd('\r')).Append('\n');
            }
        }

        text.Append(YamlWriter.Serialize(document));
        return text.ToString();
    }

    /// <summary>
    /// Validates and writes <paramref name="topology"/> to <paramref name="path"/> in the format its extension
    /// names. The file is replaced atomically (written aside, then renamed), so a proxy reading it never sees half.
    /// </summary>
    public static void Save(TopologyConfig topology, string path, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = Serialize(topology, FormatOf(path), comment);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, text);
        File.Move(temporary, full, overwrite: true);
    }

    private static TopologyFileDocument? ReadJson(string text, string source)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<TopologyFileDocument>(text, TesseraJson.ConfigFile);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}: " : "";
            var message = Friendly(e.Message);

            // STJ appends its own position ("Path: $... | LineNumber: ..."); ours is at the front already.
            var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }

            var at = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" (at {e.Path})";
            throw new TopologyFileException($"{source}: {where}{message}{at}", e) { Problems = [message] };
        }
    }

    private static TopologyFileDocument? ReadYaml(string text, string source)
    {
        try
        {
            return YamlReader.Deserialize<TopologyFileDocument?>(text);
        }
        catch (YamlException e)
        {
            // YamlDotNet wraps conversion failures; the innermost message says what was wrong.
            var message = e.InnerException is { } inner && inner is not YamlException ? inner.Message : e.Message;
            message = Friendly(PositionPrefix().Replace(message, ""));
            var problem = $"line {e.Start.Line}, column {e.Start.Column}: {message}";
            throw new TopologyFileException($"{source}: {problem}", e) { Problems = [problem] };
        }
    }

    private static TopologyFileException Invalid(string source, IReadOnlyList<string> problems) =>
        new($"{source} is not a valid topology:\n  - " + string.Join("\n  - ", problems)) { Problems = problems };

    /// <summary>Replaces our internal type names in parser messages by words a user knows.</summary>
    private static string Friendly(string message)
    {
        message = InternalTypeName().Replace(message, match => match.Groups["entry"].Value switch
        {
            "NamespaceEntry" => "a namespace",
            "GroupEntry" => "a group",
            "SlotRangeEntry" => "a slot range",
            _ => "the top level",
        });
        return NullableIntName().Replace(message, "a whole number");
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    [GeneratedRegex(@"(type )?'?Tessera\.Proxy\.Topology\.TopologyFileDocument(\+(?<entry>\w+))?'?")]
    private static partial Regex InternalTypeName();

    [GeneratedRegex(@"System\.Nullable`1\[System\.Int(32|64)\]")]
    private static partial Regex NullableIntName();
}
