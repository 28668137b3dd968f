using System.Text.Json;

namespace Tessera.Proxy.Coordination;

/// <summary>The JSON settings shared by store documents and the admin API (camelCase, enums as names).</summary>
internal static class ModelJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
