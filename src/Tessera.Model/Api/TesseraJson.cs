using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Model.Api;

/// <summary>
/// The JSON settings Tessera uses, one object for every project. <see cref="Options"/> and <see cref="Indented"/>
/// are for every wire and every store document: the web defaults (camelCase names, case-insensitive reading,
/// numbers as numbers), null properties left out, and no HTML-safe escaping of quotes and backticks (these
/// documents are never embedded in HTML; error messages stay readable). The controller writes namespace
/// documents and proxy records with these, and serves its HTTP API with them, so any reader using them sees the
/// same shape. <see cref="ConfigFile"/> is for files people write by hand (topology files).
/// </summary>
public static class TesseraJson
{
    /// <summary>Compact output, for store documents and HTTP bodies.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>Indented output, for people (the CLI's <c>--json</c>).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>
    /// Files people write and read (a proxy's topology file): camelCase names matched exactly, <c>//</c> and
    /// <c>/* */</c> comments and trailing commas allowed, and a misspelt key an error rather than a silently
    /// ignored setting; written indented, null properties left out.
    /// </summary>
    public static JsonSerializerOptions ConfigFile { get; } = CreateConfigFile();

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static JsonSerializerOptions CreateConfigFile()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
