using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tessera.Store.Etcd;

/// <summary>
/// The etcd v3 JSON gateway's dialect: keys and values are base64, 64-bit numbers travel as JSON strings,
/// fields holding zero/false/empty are left out of responses, and enum fields use their proto names.
/// </summary>
internal static class EtcdJson
{
    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static string FromBase64(string? base64) => base64 is null ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    /// <summary>A 64-bit field, written by etcd as a string, missing when zero.</summary>
    public static long Int64(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out JsonElement value))
        {
            return 0;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => long.Parse(value.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            JsonValueKind.Number => value.GetInt64(),
            _ => 0,
        };
    }

    /// <summary>A boolean field, missing when false.</summary>
    public static bool Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;

    /// <summary>An object field, or an undefined element when missing.</summary>
    public static JsonElement Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) ? value : default;

    /// <summary>The revision in a response's header.</summary>
    public static long HeaderRevision(JsonElement response) => Int64(Object(response, "header"), "revision");

    /// <summary>The range end that makes a range request cover every key starting with <paramref name="prefix"/>.</summary>
    public static string PrefixRangeEnd(string prefix)
    {
        byte[] end = Encoding.UTF8.GetBytes(prefix);
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return Convert.ToBase64String(end.AsSpan(0, i + 1));
            }
        }

        // Only 0xff bytes: etcd reads "\0" as "to the end of the key space".
        return Convert.ToBase64String(new byte[] { 0 });
    }

    /// <summary>A key-value from a range response or watch event.</summary>
    public static StoreRecord ReadKeyValue(JsonElement kv)
    {
        long lease = Int64(kv, "lease");
        return new StoreRecord(
            FromBase64(kv.GetProperty("key").GetString()),
            kv.TryGetProperty("value", out JsonElement value) ? FromBase64(value.GetString()) : "",
            Int64(kv, "mod_revision"),
            Int64(kv, "create_revision"),
            Int64(kv, "version"),
            lease == 0 ? null : lease);
    }

    /// <summary>Builds a request body with <paramref name="write"/> filling in the top-level object.</summary>
    public static byte[] Request(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteInt64(Utf8JsonWriter writer, string name, long value) =>
        writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The fields of a PutRequest (inside a txn's request_put or as the whole body of /v3/kv/put).</summary>
    public static void WritePut(Utf8JsonWriter writer, string key, string value, long? lease)
    {
        writer.WriteString("key", Base64(key));
        writer.WriteString("value", Base64(value));
        if (lease is { } id)
        {
            WriteInt64(writer, "lease", id);
        }
    }

    /// <summary>A txn compare on the key's mod_revision ("MOD") or create_revision ("CREATE").</summary>
    public static void WriteCompare(Utf8JsonWriter writer, string key, string target, long revision)
    {
        writer.WriteStartArray("compare");
        writer.WriteStartObject();
        writer.WriteString("key", Base64(key));
        writer.WriteString("target", target);
        writer.WriteString("result", "EQUAL");
        WriteInt64(writer, target == "CREATE" ? "create_revision" : "mod_revision", revision);
        writer.WriteEndObject();
        writer.WriteEndArray();
    }
}
