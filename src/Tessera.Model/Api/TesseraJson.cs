using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Model.Api;

/// <summary>
/// The JSON settings Tessera uses on every wire and in every store document: the web defaults (camelCase
/// names, case-insensitive reading, numbers as numbers), null properties left out, and no HTML-safe escaping
/// of quotes and backticks (these documents are never embedded in HTML; error messages stay readable). The controller writes namespace documents and
/// proxy records with these, and serves its HTTP API with them, so any reader using them sees the same shape.
/// </summary>
public static class TesseraJson
{
    /// <summary>Compact output, for store documents and HTTP bodies.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>Indented output, for people (the CLI's <c>--json</c>).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

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
}
