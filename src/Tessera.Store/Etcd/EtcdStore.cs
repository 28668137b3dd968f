using System.Text.Json;

// Why this hand-written JSON-gateway client and not dotnet-etcd (issue 11, item 10; evaluated 2026-12-07, etcd 3.4.23):
// dotnet-etcd 10.0.0 (gRPC) was put behind the same ICoordinatorStore as GrpcEtcdStore (tests/Tessera.Store.Tests/Etcd/Grpc,
// test-only) and both ran the same suites against real etcd: plain 22/22, user/password 21/21, TLS with ?ca= 22/22,
// 3-member failover 1/1, token expiry + failover of a watch-only store 1/1 — each passes for both. Kept this one because:
// - What the contract needs is ours to write either way. dotnet-etcd's watch is callbacks with its own reconnection and its
//   keepalive a loop, so GrpcEtcdStore uses the library's raw generated Watch/LeaseKeepAlive streams and re-implements the
//   resume-at-next-revision, compaction Reset, one-shot keepalive, token renewal and retry/timeout logic found here. The
//   library saves only the JSON/base64 codec (EtcdJson, ~115 lines): ~470 lines for GrpcEtcdStore, and it still needs this
//   class's URL parsing and TLS check, vs ~1,070 lines in Etcd/ now. (EtcdTokenExpiryTests, written for the evaluation,
//   found two bugs here: a watch reopened with an expired token is "created" then canceled with "invalid auth token", and a
//   watch-only store retried it forever (GrpcEtcdStore, written the same way, had it too) — see EtcdTransport.ForgetTokenIf;
//   and authenticating during an election ("leader changed") was reported as a refused user, which ended the watch
//   instead of trying another member.)
// - Weight: dotnet-etcd brings 8 more packages (Grpc.Net.Client/Common, Grpc.Core.Api 2.85.0, Google.Protobuf 3.36.2,
//   Google.Api.CommonProtos 2.17.0, Microsoft.Extensions.DependencyInjection(+.Abstractions) 10.0.14,
//   Microsoft.Extensions.Logging.Abstractions 8.0.1) into a project that is framework only; the published tessera CLI
//   (framework-dependent) grows from 4.13 MB in 34 files to 6.13 MB in 40 (+1.99 MB, +48%); and dotnet-etcd 11 already
//   moves to Microsoft.Extensions 11.
// - Speed does not decide it: against one local etcd (EtcdClientComparison, TESSERA_ETCD_BENCH=1; 4 runs each on the
//   shared 2-core machine, load average 8-13), 2000 sequential put+get pairs took 2.2-2.9 ms/pair here vs 1.4-2.8 ms with
//   gRPC, and a put's watch event arrived after a median 1.0-1.3 ms vs 0.8-1.0 ms (p99 8-15 vs 10-22 ms). etcd's fsync
//   dominates both, and Tessera's store traffic is control plane (registrations, leases, config watches), not per command.
// - Diagnostics: here the failover order and the member in use are ours (PreferredEndpoint, WatchReconnects,
//   LastWatchFailure); with gRPC's balancer, which member serves a call is not visible to us.
namespace Tessera.Store.Etcd;

/// <summary>
/// The coordinator store on etcd v3, spoken through etcd's JSON gateway over HTTP(S) with HttpClient (chosen over the
/// dotnet-etcd gRPC client: see the note above). Opened by <c>etcd://host:port[,host:port…]</c>; works with etcd 3.4+.
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
