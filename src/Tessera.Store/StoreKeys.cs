using System.Text;
using System.Text.Json;

namespace Tessera.Store;

/// <summary>Argument checks shared by both stores, so they accept and refuse exactly the same keys and values.</summary>
internal static class StoreKeys
{
    /// <summary>Longest key accepted, in UTF-8 bytes; far above any Tessera path and within file name limits.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Largest value accepted (etcd's default request limit is 1.5 MiB).</summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>Checks that <paramref name="key"/> is an absolute path with non-empty segments and no trailing '/'.</summary>
    public static void ValidateKey(string key, string parameterName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, parameterName);
        if (key.Length < 2 || key[0] != '/' || key[^1] == '/' || key.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Store key \"{key}\" is not an absolute path like \"/tessera/proxies/p1\": keys start with '/', have no empty segments and do not end with '/'.", parameterName);
        }

        ValidateCharacters(key, parameterName);
    }

    /// <summary>Checks that <paramref name="prefix"/> starts with '/' ("/" lists everything).</summary>
    public static void ValidatePrefix(string prefix, string parameterName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, parameterName);
        if (prefix.Length == 0 || prefix[0] != '/')
        {
            throw new ArgumentException($"Store prefix \"{prefix}\" must start with '/' (use \"/\" for every key).", parameterName);
        }

        ValidateCharacters(prefix, parameterName);
    }

    /// <summary>
    /// Checks that <paramref name="value"/> is exactly one JSON value and returns it without surrounding
    /// whitespace (both stores keep values byte for byte otherwise) together with its UTF-8 bytes.
    /// </summary>
    public static (string Text, byte[] Utf8) ValidateValue(string key, string value, string parameterName = "value")
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        string text = value.Trim();
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        if (utf8.Length > MaxValueBytes)
        {
            throw new ArgumentException($"The value for \"{key}\" is {utf8.Length} bytes; the store accepts at most {MaxValueBytes}. Split it over several keys.", parameterName);
        }

        if (utf8.Length == 0)
        {
            throw new ArgumentException($"The value for \"{key}\" is empty; store values are JSON text (use \"null\" or \"{{}}\" for nothing).", parameterName);
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            reader.Read();
            reader.Skip();
            if (reader.Read())
            {
                throw new ArgumentException($"The value for \"{key}\" holds more than one JSON value; store values are exactly one JSON value.", parameterName);
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The value for \"{key}\" is not valid JSON ({e.Message}); store values are JSON text.", parameterName, e);
        }

        return (text, utf8);
    }

    public static void ValidateLease(long? lease, string parameterName = "lease")
    {
        if (lease is { } id && id <= 0)
        {
            throw new ArgumentOutOfRangeException(parameterName, lease, "A lease id is a positive number returned by GrantLeaseAsync; pass null for a durable record.");
        }
    }

    public static void ValidateTtl(TimeSpan ttl, string parameterName = "ttl")
    {
        if (ttl < TimeSpan.FromMilliseconds(100) || ttl > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(parameterName, ttl, "A lease TTL must be between 100 ms and 1 day; a few seconds suits registrations and locks.");
        }
    }

    private static void ValidateCharacters(string text, string parameterName)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxKeyBytes)
        {
            throw new ArgumentException($"Store key \"{text[..64]}…\" is longer than {MaxKeyBytes} bytes.", parameterName);
        }

        // Surrogates are refused so that ordinal string order equals etcd's UTF-8 byte order: both stores sort alike.
        foreach (char c in text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                throw new ArgumentException($"Store key \"{text}\" contains a control or surrogate character; use printable characters.", parameterName);
            }
        }
    }
}
