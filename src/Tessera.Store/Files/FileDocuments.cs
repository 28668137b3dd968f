using System.Buffers;
using System.Text.Json;

namespace Tessera.Store.Files;

/// <summary>A key's document in the file store.</summary>
internal sealed record FileRecord(string Key, string Value, long Revision, long CreateRevision, long Version, long Lease)
{
    public StoreRecord ToStoreRecord() => new(Key, Value, Revision, CreateRevision, Version, Lease == 0 ? null : Lease);
}

/// <summary>A lease's heartbeat document: when it expires and which keys were attached to it.</summary>
internal sealed record FileLease(long Id, long TtlMs, long ExpiresAtMs, IReadOnlyList<string> Keys)
{
    public bool IsExpired(long nowMs) => ExpiresAtMs <= nowMs;
}

/// <summary>One line of the change log.</summary>
internal readonly record struct FileChange(long Revision, StoreEventKind Kind, string Key, string? Value);

/// <summary>
/// Reading and writing the file store's JSON documents. Record documents embed the value as JSON so
/// the folder reads naturally; change-log lines carry it as a JSON string so one change is always one line.
/// </summary>
internal static class FileDocuments
{
    public static byte[] WriteRecord(FileRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + record.Value.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("key", record.Key);
            writer.WriteNumber("revision", record.Revision);
            writer.WriteNumber("createRevision", record.CreateRevision);
            writer.WriteNumber("version", record.Version);
            if (record.Lease != 0)
            {
                writer.WriteNumber("lease", record.Lease);
            }

            writer.WritePropertyName("value");
            writer.WriteRawValue(record.Value, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static FileRecord ReadRecord(byte[] utf8, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            JsonElement root = document.RootElement;
            return new FileRecord(
                root.GetProperty("key").GetString()!,
                root.GetProperty("value").GetRawText(),
                root.GetProperty("revision").GetInt64(),
                root.GetProperty("createRevision").GetInt64(),
                root.GetProperty("version").GetInt64(),
                root.TryGetProperty("lease", out JsonElement lease) ? lease.GetInt64() : 0);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Corrupt(path, e);
        }
    }

    public static byte[] WriteLease(FileLease lease)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", lease.Id);
            writer.WriteNumber("ttlMs", lease.TtlMs);
            writer.WriteNumber("expiresAtMs", lease.ExpiresAtMs);
            writer.WriteString("expiresAt", DateTimeOffset.FromUnixTimeMilliseconds(lease.ExpiresAtMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteStartArray("keys");
            foreach (string key in lease.Keys)
            {
                writer.WriteStringValue(key);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static FileLease ReadLease(byte[] utf8, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            JsonElement root = document.RootElement;
            var keys = new List<string>();
            foreach (JsonElement key in root.GetProperty("keys").EnumerateArray())
            {
                keys.Add(key.GetString()!);
            }

            return new FileLease(root.GetProperty("id").GetInt64(), root.GetProperty("ttlMs").GetInt64(), root.GetProperty("expiresAtMs").GetInt64(), keys);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Corrupt(path, e);
        }
    }

    /// <summary>One change as a single line ending in '\n'.</summary>
    public static byte[] WriteChange(FileChange change)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (change.Value?.Length ?? 0));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("revision", change.Revision);
            writer.WriteString("kind", change.Kind == StoreEventKind.Put ? "put" : "delete");
            writer.WriteString("key", change.Key);
            if (change.Value is not null)
            {
                writer.WriteString("value", change.Value);
            }

            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static FileChange ReadChange(ReadOnlySpan<byte> line, string path)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            long revision = 0;
            StoreEventKind kind = StoreEventKind.Put;
            string? key = null;
            string? value = null;
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                switch (name)
                {
                    case "revision": revision = reader.GetInt64(); break;
                    case "kind": kind = reader.GetString() == "delete" ? StoreEventKind.Delete : StoreEventKind.Put; break;
                    case "key": key = reader.GetString(); break;
                    case "value": value = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }

            if (revision <= 0 || key is null)
            {
                throw new JsonException("a change needs a revision and a key");
            }

            return new FileChange(revision, kind, key, value);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw Corrupt(path, e);
        }
    }

    private static CoordinatorStoreException Corrupt(string path, Exception e) =>
        new($"The file store document {path} is damaged ({e.Message}). Restore it from a backup or delete it (its key is then gone).", e);
}
