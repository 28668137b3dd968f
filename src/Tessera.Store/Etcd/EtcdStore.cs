using System.Text.Json;

namespace Tessera.Store.Etcd;

/// <summary>
/// The coordinator store on etcd v3, spoken through etcd's JSON gateway over plain HTTP (no .NET etcd
/// client is available to us). Opened by <c>etcd://host:port[,host:port…]</c>; works with etcd 3.4+.
/// </summary>
/// <remarks>
/// Reads are linearizable (etcd's default). Compare-and-set is a txn comparing the key's mod_revision
/// (create_revision = 0 for "must not exist"). Leases and their keys are etcd's own, so expiry happens on
/// the etcd leader's clock. Every request fails over between the listed endpoints (see <see cref="EtcdTransport"/>).
/// </remarks>
public sealed partial class EtcdStore : ICoordinatorStore
{
    private readonly EtcdTransport _transport;
    private readonly EtcdStoreOptions _options;
    private volatile bool _disposed;
    private long _watchReconnects;
    private volatile string? _lastWatchFailure;

    public EtcdStore(IReadOnlyList<Uri> endpoints, EtcdStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("An etcd store needs at least one endpoint (etcd://host:2379).", nameof(endpoints));
        }

        _options = options ?? new EtcdStoreOptions();
        _options.Validate();
        Endpoints = endpoints.ToArray();
        _transport = new EtcdTransport(Endpoints.ToArray(), _options);
        Url = (Endpoints[0].Scheme == Uri.UriSchemeHttps ? TlsScheme : "etcd://") + (_options.User is { } user ? Uri.EscapeDataString(user) + "@" : "") + string.Join(",", Endpoints.Select(e => e.Authority))
            + (_options.CaFile is { } ca ? "?ca=" + ca : "");
    }

    /// <summary>The scheme of a store over TLS: <c>etcds://host:2379[,…][?ca=/path/ca.pem]</c>.</summary>
    public const string TlsScheme = "etcds://";

    /// <summary>
    /// The <c>ca</c> query parameter of an <c>etcds://</c> URL: a PEM file of the authority that signed the members'
    /// certificates (without it, the system's trust store decides). Null for none.
    /// </summary>
    public static string? ParseCaFile(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        int query = url.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return null;
        }

        foreach (var pair in url[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (pair[..eq], Uri.UnescapeDataString(pair[(eq + 1)..])) : (pair, "");
            if (name != "ca" || value.Length == 0)
            {
                throw new ArgumentException($"the store URL's query '{pair}' is not understood; the one option is ?ca=/path/to/ca.pem (with etcds://)", nameof(url));
            }

            if (!url.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException("?ca= needs TLS: write the URL as etcds://host:2379?ca=/path/to/ca.pem", nameof(url));
            }

            return Path.GetFullPath(value);
        }

        return null;
    }

    /// <summary>Environment variable holding the etcd password when the store URL names only the user (etcd://user@host).</summary>
    public const string PasswordVariable = "TESSERA_ETCD_PASSWORD";

    /// <summary>
    /// Splits <c>etcd://[user[:password]@]host:port[,host:port…]</c> into the URL without credentials and the
    /// user and password (percent-decoded). A user without a password in the URL takes it from
    /// <see cref="PasswordVariable"/>, which keeps it out of process listings.
    /// </summary>
    public static (string Url, string? User, string? Password) SplitCredentials(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string scheme = url.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase) ? TlsScheme : "etcd://";
        int at = url.IndexOf('@', StringComparison.Ordinal);
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || at < 0)
        {
            return (url, null, null);
        }

        string userInfo = url[scheme.Length..at];
        int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        string user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        string? password = colon < 0 ? Environment.GetEnvironmentVariable(PasswordVariable) : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        if (user.Length == 0)
        {
            throw new ArgumentException($"the store URL names an empty etcd user before '@'; use etcd://user:password@host:2379 or etcd://user@host:2379 with ${PasswordVariable}", nameof(url));
        }

        return (scheme + url[(at + 1)..], user, password);
    }

    /// <summary>The client URLs of the members, in the order they are tried.</summary>
    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The endpoint that answered last (the one tried first next time).</summary>
    public Uri PreferredEndpoint => _transport.PreferredEndpoint;

    public string Url { get; }

    /// <summary>Parses <c>etcd://host:port[,host:port…]</c> into HTTP client URLs (port 2379 when omitted).</summary>
    public static IReadOnlyList<Uri> ParseEndpoints(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        bool tls = url.StartsWith(TlsScheme, StringComparison.OrdinalIgnoreCase);
        string scheme = tls ? TlsScheme : "etcd://";
        if (!url.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"\"{url}\" is not an etcd store URL; use etcd://host:port[,host:port…] (or etcds://… for TLS).", nameof(url));
        }

        string hosts = url[scheme.Length..];
        int query = hosts.IndexOf('?', StringComparison.Ordinal);
        hosts = query < 0 ? hosts : hosts[..query];
        var endpoints = new List<Uri>();
        foreach (string part in hosts.TrimEnd('/').Split(','))
        {
            string hostPort = part.Trim();
            if (hostPort.Length == 0
                || hostPort.Contains('/', StringComparison.Ordinal)
                || !Uri.TryCreate((tls ? "https://" : "http://") + hostPort + "/", UriKind.Absolute, out Uri? endpoint)
                || endpoint.Host.Length == 0
                || !string.IsNullOrEmpty(endpoint.UserInfo))
            {
                throw new ArgumentException($"\"{part}\" in store URL \"{url}\" is not host:port; use etcd://host:port[,host:port…].", nameof(url));
            }

            if (endpoint.IsDefaultPort && !hostPort.EndsWith(tls ? ":443" : ":80", StringComparison.Ordinal))
            {
                endpoint = new UriBuilder(endpoint) { Port = 2379 }.Uri;
            }

            endpoints.Add(endpoint);
        }

        return endpoints;
    }

    public async Task<StoreRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        byte[] body = EtcdJson.Request(w => w.WriteString("key", EtcdJson.Base64(key)));
        using JsonDocument answer = await PostAsync("/v3/kv/range", body, cancellationToken).ConfigureAwait(false);
        JsonElement kvs = EtcdJson.Object(answer.RootElement, "kvs");
        return kvs.ValueKind == JsonValueKind.Array && kvs.GetArrayLength() > 0 ? EtcdJson.ReadKeyValue(kvs[0]) : null;
    }

    public async Task<StoreListing> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix);
        byte[] body = EtcdJson.Request(w =>
        {
            w.WriteString("key", EtcdJson.Base64(prefix));
            w.WriteString("range_end", EtcdJson.PrefixRangeEnd(prefix));
            w.WriteString("sort_order", "ASCEND");
            w.WriteString("sort_target", "KEY");
        });
        using JsonDocument answer = await PostAsync("/v3/kv/range", body, cancellationToken).ConfigureAwait(false);
        JsonElement kvs = EtcdJson.Object(answer.RootElement, "kvs");
        var records = new List<StoreRecord>();
        if (kvs.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement kv in kvs.EnumerateArray())
            {
                records.Add(EtcdJson.ReadKeyValue(kv));
            }
        }

        return new StoreListing(records.ToArray(), EtcdJson.HeaderRevision(answer.RootElement));
    }

    public Task<bool> CreateAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default) =>
        CompareAndSetAsync(key, value, 0, lease, cancellationToken);

    public async Task<bool> CompareAndSetAsync(string key, string value, long expectedRevision, long? lease = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        string text = StoreKeys.ValidateValue(key, value).Text;
        StoreKeys.ValidateLease(lease);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        byte[] body = EtcdJson.Request(w =>
        {
            // create_revision is 0 only for a key that does not exist; mod_revision identifies one write.
            EtcdJson.WriteCompare(w, key, expectedRevision == 0 ? "CREATE" : "MOD", expectedRevision);
            w.WriteStartArray("success");
            w.WriteStartObject();
            w.WriteStartObject("request_put");
            EtcdJson.WritePut(w, key, text, lease);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        using JsonDocument answer = await PostWriteAsync("/v3/kv/txn", body, key, lease, cancellationToken).ConfigureAwait(false);
        return EtcdJson.Bool(answer.RootElement, "succeeded");
    }

    public async Task<long> PutAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        string text = StoreKeys.ValidateValue(key, value).Text;
        StoreKeys.ValidateLease(lease);
        byte[] body = EtcdJson.Request(w => EtcdJson.WritePut(w, key, text, lease));
        using JsonDocument answer = await PostWriteAsync("/v3/kv/put", body, key, lease, cancellationToken).ConfigureAwait(false);
        return EtcdJson.HeaderRevision(answer.RootElement);
    }

    public async Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        if (expectedRevision is not { } expected)
        {
            byte[] plain = EtcdJson.Request(w => w.WriteString("key", EtcdJson.Base64(key)));
            using JsonDocument deleted = await PostAsync("/v3/kv/deleterange", plain, cancellationToken).ConfigureAwait(false);
            return EtcdJson.Int64(deleted.RootElement, "deleted") > 0;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(expected, nameof(expectedRevision));
        byte[] body = EtcdJson.Request(w =>
        {
            EtcdJson.WriteCompare(w, key, "MOD", expected);
            w.WriteStartArray("success");
            w.WriteStartObject();
            w.WriteStartObject("request_delete_range");
            w.WriteString("key", EtcdJson.Base64(key));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        using JsonDocument answer = await PostAsync("/v3/kv/txn", body, cancellationToken).ConfigureAwait(false);
        if (!EtcdJson.Bool(answer.RootElement, "succeeded"))
        {
            return false;
        }

        // A comparison against 0 "succeeds" for a missing key; only an actual deletion counts.
        JsonElement responses = EtcdJson.Object(answer.RootElement, "responses");
        return responses.ValueKind == JsonValueKind.Array
            && responses.GetArrayLength() > 0
            && EtcdJson.Int64(EtcdJson.Object(responses[0], "response_delete_range"), "deleted") > 0;
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _transport.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => Url;

    private Task<JsonDocument> PostAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _transport.PostAsync(path, body, cancellationToken);
    }

    /// <summary>A put or txn that may name a lease: etcd's "lease not found" becomes <see cref="LeaseNotFoundException"/>.</summary>
    private async Task<JsonDocument> PostWriteAsync(string path, byte[] body, string key, long? lease, CancellationToken cancellationToken)
    {
        try
        {
            return await PostAsync(path, body, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdErrorException e) when (e.Code == EtcdErrorException.NotFound && lease is { } id)
        {
            throw new LeaseNotFoundException(LeaseNotFoundException.For(id, key).Message, e);
        }
    }
}
