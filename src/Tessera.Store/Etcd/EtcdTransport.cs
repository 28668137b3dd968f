using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Tessera.Store.Etcd;

/// <summary>
/// HTTP to the etcd JSON gateway with failover: requests go to the endpoint that last answered, and move
/// on to the next one on connection failures, timeouts and "unavailable" answers (no leader, leader changed).
/// </summary>
/// <remarks>
/// A write whose answer timed out may still have been applied; retrying it elsewhere can then make a
/// compare-and-set report false for a change that did happen. Every etcd client has this ambiguity;
/// callers that care re-read the key after a false.
/// </remarks>
internal sealed class EtcdTransport : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly Uri[] _endpoints;
    private readonly EtcdStoreOptions _options;
    private readonly HttpClient _http;

    // Index of the endpoint that answered last; read and written without a lock because any value is valid.
    private int _preferred;

    // The auth token etcd gave for the user (simple tokens expire; an "invalid auth token" answer gets a new one).
    private volatile string? _token;

    public EtcdTransport(Uri[] endpoints, EtcdStoreOptions options)
    {
        _endpoints = endpoints;
        _options = options;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        if (options.CaFile is { } caFile)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = TrustOnly(caFile);
        }

        // Timeouts are per request (linked tokens), never global: a watch stream lives for hours.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri PreferredEndpoint => _endpoints[Volatile.Read(ref _preferred)];

    /// <summary>
    /// Drops the auth token when <paramref name="refusal"/> is etcd's "invalid auth token" or "revision of auth store is old" (it expired, auth changed since it was issued, or the member
    /// now serving us never gave it: simple tokens live in one member's memory). The next request authenticates again.
    /// </summary>
    public void ForgetTokenIf(string? refusal)
    {
        if (_options.User is not null && refusal is not null && (refusal.Contains("invalid auth token", StringComparison.Ordinal) || refusal.Contains("revision of auth store is old", StringComparison.Ordinal)))
        {
            _token = null;
        }
    }

    /// <summary>
    /// Accepts a member's certificate when it chains to the authority in <paramref name="caFile"/> and names the host
    /// connected to; anything else (another authority, a wrong name, an expired certificate) is refused.
    /// </summary>
    internal static System.Net.Security.RemoteCertificateValidationCallback TrustOnly(string caFile)
    {
        X509Certificate2 authority;
        try
        {
            authority = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new ArgumentException($"the etcd CA file {caFile} cannot be read as a PEM certificate ({e.Message})", e);
        }

        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var presented = new X509Certificate2(certificate);
            return chain.Build(presented);
        };
    }

    /// <summary>
    /// Posts <paramref name="body"/> to <paramref name="path"/> and returns the parsed answer. etcd errors
    /// that failover cannot fix are thrown as <see cref="EtcdErrorException"/>; when no endpoint answers
    /// within the operation timeout, <see cref="CoordinatorStoreException"/>.
    /// </summary>
    public async Task<JsonDocument> PostAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var failures = new List<string>();
        for (int round = 0; ; round++)
        {
            int first = Volatile.Read(ref _preferred);
            for (int i = 0; i < _endpoints.Length; i++)
            {
                int index = (first + i) % _endpoints.Length;
                Uri endpoint = _endpoints[index];
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.RequestTimeout);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path)) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = Json;
                    await AuthorizeAsync(request, endpoint, timeout.Token).ConfigureAwait(false);
                    using HttpResponseMessage response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                    byte[] answer = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                    JsonDocument document = ParseAnswer(answer, endpoint, path, response.StatusCode);
                    if (response.IsSuccessStatusCode && !document.RootElement.TryGetProperty("error", out _))
                    {
                        Volatile.Write(ref _preferred, index);
                        return document;
                    }

                    EtcdErrorException error = EtcdErrorException.From(document.RootElement, endpoint, path, response.StatusCode);
                    document.Dispose();
                    if (_options.User is not null && (error.Message.Contains("invalid auth token", StringComparison.Ordinal) || error.Message.Contains("revision of auth store is old", StringComparison.Ordinal)))
                    {
                        // The token expired (or the member restarted): authenticate again and retry.
                        _token = null;
                        failures.Add(error.Message);
                        continue;
                    }

                    if (!error.IsRetryable)
                    {
                        Volatile.Write(ref _preferred, index);
                        throw error;
                    }

                    failures.Add(error.Message);
                }
                catch (EtcdErrorException e) when (e.IsRetryable)
                {
                    // From authenticating (the request's own retryable answers are not thrown).
                    failures.Add(e.Message);
                }
                catch (HttpRequestException e)
                {
                    failures.Add($"{endpoint}: {e.Message}");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failures.Add($"{endpoint}: no answer within {_options.RequestTimeout.TotalSeconds:0.#} s");
                }
            }

            if (Stopwatch.GetElapsedTime(started) >= _options.OperationTimeout)
            {
                throw Unreachable(path, failures);
            }

            await Task.Delay(_options.RetryDelay * Math.Min(round + 1, 5), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds the etcd auth token when the store authenticates, asking <paramref name="endpoint"/> for one first if there
    /// is none (<c>/v3/auth/authenticate</c>). A refused user or password is an <see cref="EtcdErrorException"/> saying so.
    /// </summary>
    private async Task AuthorizeAsync(HttpRequestMessage request, Uri endpoint, CancellationToken cancellationToken)
    {
        if (_options.User is not { } user)
        {
            return;
        }

        var token = _token;
        if (token is null)
        {
            byte[] body = EtcdJson.Request(w =>
            {
                w.WriteString("name", user);
                w.WriteString("password", _options.Password ?? "");
            });
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            using HttpResponseMessage response = await _http.PostAsync(new Uri(endpoint, "/v3/auth/authenticate"), content, cancellationToken).ConfigureAwait(false);
            byte[] answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            using JsonDocument document = ParseAnswer(answer, endpoint, "/v3/auth/authenticate", response.StatusCode);
            if (!response.IsSuccessStatusCode || !document.RootElement.TryGetProperty("token", out var given) || given.GetString() is not { Length: > 0 } value)
            {
                // "leader changed", "no leader" during an election: not a refusal of the user; the callers try another member.
                if (EtcdErrorException.From(document.RootElement, endpoint, "/v3/auth/authenticate", response.StatusCode) is { IsRetryable: true } unavailable)
                {
                    throw unavailable;
                }

                var refusal = document.RootElement.TryGetProperty("message", out var message) ? message.GetString() : $"HTTP {(int)response.StatusCode}";
                throw new EtcdErrorException($"etcd at {endpoint} refused user '{user}' ({refusal}); check the user and password in the store URL (etcd://user:password@host:2379) or TESSERA_ETCD_PASSWORD", 16);
            }

            token = value;
            _token = token;
        }

        request.Headers.TryAddWithoutValidation("Authorization", token);
    }

    /// <summary>
    /// Opens a streaming request (a watch) on the first endpoint that accepts it, in preference order;
    /// null when none did this round. The caller owns the response and reads it until it breaks.
    /// </summary>
    public async Task<(HttpResponseMessage? Response, string? Failure)> TryOpenStreamAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        int first = Volatile.Read(ref _preferred);
        string? failure = null;
        for (int i = 0; i < _endpoints.Length; i++)
        {
            int index = (first + i) % _endpoints.Length;
            Uri endpoint = _endpoints[index];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage? response = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path)) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = Json;
                await AuthorizeAsync(request, endpoint, timeout.Token).ConfigureAwait(false);

                // Headers only: the body is an endless sequence of JSON lines read by the caller.
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return (response, null);
                }

                failure = $"{endpoint}: HTTP {(int)response.StatusCode} for {path}";
                response.Dispose();
            }
            catch (EtcdErrorException e) when (e.IsRetryable)
            {
                // Authenticating met an election ("leader changed"): the watch must outlive it, not end.
                response?.Dispose();
                failure = e.Message;
            }
            catch (HttpRequestException e)
            {
                response?.Dispose();
                failure = $"{endpoint}: {e.Message}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                failure = $"{endpoint}: no answer within {_options.RequestTimeout.TotalSeconds:0.#} s";
            }
        }

        return (null, failure);
    }

    public void Dispose() => _http.Dispose();

    private static JsonDocument ParseAnswer(byte[] answer, Uri endpoint, string path, HttpStatusCode status)
    {
        // Unary gateway answers can be wrapped like stream messages ({"result":…}) and end in a newline;
        // only the first JSON value counts.
        try
        {
            var reader = new Utf8JsonReader(answer);
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new HttpRequestException($"{endpoint} answered {path} with HTTP {(int)status} and a body that is not JSON ({e.Message}); is this an etcd v3 client URL?", e);
        }
    }

    private CoordinatorStoreException Unreachable(string path, List<string> failures)
    {
        int from = Math.Max(0, failures.Count - _endpoints.Length);
        return new CoordinatorStoreException(
            $"No etcd endpoint answered {path} within {_options.OperationTimeout.TotalSeconds:0.#} s (tried {string.Join(", ", _endpoints.Select(e => e.Authority))}; last errors: {string.Join("; ", failures.Skip(from))}). " +
            "Check that etcd is running, that a majority of its members are up, and that the store URL lists their client addresses.");
    }
}

/// <summary>An error answer from etcd, with its gRPC status code.</summary>
internal sealed class EtcdErrorException : CoordinatorStoreException
{
    /// <summary>gRPC NOT_FOUND: etcd's "requested lease not found".</summary>
    public const int NotFound = 5;

    public EtcdErrorException()
    {
    }

    public EtcdErrorException(string message)
        : base(message)
    {
    }

    public EtcdErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal EtcdErrorException(string message, int code)
        : base(message) => Code = code;

    public int Code { get; }

    /// <summary>UNAVAILABLE (no leader, leader changed, member stopping) and DEADLINE_EXCEEDED: another member may do better.</summary>
    public bool IsRetryable => Code is 14 or 4;

    public static EtcdErrorException From(JsonElement root, Uri endpoint, string path, HttpStatusCode status)
    {
        // Unary errors look like {"error":"…","message":"…","code":5}; stream errors like {"error":{"grpc_code":5,"message":"…"}}.
        JsonElement error = EtcdJson.Object(root, "error");
        string message;
        int code;
        if (error.ValueKind == JsonValueKind.Object)
        {
            message = error.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? "" : error.GetRawText();
            code = (int)EtcdJson.Int64(error, "grpc_code");
        }
        else
        {
            message = root.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? "" : root.GetRawText();
            code = (int)EtcdJson.Int64(root, "code");
        }

        if (code == 0 && (int)status >= 500)
        {
            code = 14;
        }

        return new EtcdErrorException($"{endpoint.Authority} refused {path}: {message} (code {code})", code);
    }
}
