using System.Diagnostics;
using System.Runtime.CompilerServices;
using dotnet_etcd;
using dotnet_etcd.interfaces;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Tessera.Store.Etcd;

namespace Tessera.Store.Tests.Etcd.Grpc;

/// <summary>
/// The coordinator store contract on the dotnet-etcd 10.0.0 gRPC client: written to evaluate that client against
/// the hand-written JSON-gateway <see cref="EtcdStore"/> (the finding is at the top of EtcdStore.cs). Test-only:
/// it is not a production store and nothing in src uses it.
/// </summary>
/// <remarks>
/// <para>What of dotnet-etcd it uses: <see cref="EtcdClient"/> for the channel (one or several endpoints, TLS through its
/// configureSslOptions), its unary calls (GetAsync(RangeRequest), PutAsync(PutRequest), TransactionAsync, DeleteAsync,
/// LeaseGrantAsync, LeaseRevokeAsync, AuthenticateAsync), and the generated Watch and Lease clients of
/// <see cref="EtcdClient.GetConnection"/> for the two streams.</para>
/// <para>What the contract needed that the client's own API does not give, so it is written here as it is in EtcdStore:</para>
/// <list type="bullet">
/// <item>Watch: the client's Watch/WatchRange APIs are callbacks (Action&lt;WatchResponse&gt;) with a reconnection of the
/// client's own; the contract is a pull IAsyncEnumerable that resumes at exactly the revision after the last event delivered
/// and turns a compacted start revision into one Reset. So the watch here is a loop over the raw Watch stream with that
/// resume and compaction logic (the same as EtcdStore.Watch.cs).</item>
/// <item>KeepAliveAsync (one renewal, true/false): the client's LeaseKeepAlive overloads run a keepalive loop or push
/// answers to callbacks; one renewal is one write and one read on the raw LeaseKeepAlive stream here.</item>
/// <item>Auth token expiry: the token is asked for with AuthenticateAsync and sent as the "token" header; an
/// "invalid auth token" answer re-authenticates and retries, as EtcdTransport does. (The client's own credentials
/// handling, SetCredentials with a token cache duration, was not relied on: its behaviour when etcd drops the token
/// early — a member restart, --auth-token-ttl — is not documented.)</item>
/// <item>Failover and timeouts: every call gets a per-request deadline and is retried on Unavailable/DeadlineExceeded
/// until the operation timeout, as EtcdTransport does; gRPC's own load balancing picks the member.</item>
/// </list>
/// </remarks>
public sealed class GrpcEtcdStore : ICoordinatorStore
{
    private readonly EtcdClient _client;
    private readonly IConnection _connection;
    private readonly EtcdStoreOptions _options;
    private readonly SemaphoreSlim _authLock = new(1, 1);
    private volatile string? _token;
    private volatile bool _disposed;
    private long _watchReconnects;

    public GrpcEtcdStore(IReadOnlyList<Uri> endpoints, EtcdStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("An etcd store needs at least one endpoint (etcd://host:2379).", nameof(endpoints));
        }

        _options = options ?? new EtcdStoreOptions();
        Endpoints = endpoints.ToArray();
        bool tls = Endpoints[0].Scheme == Uri.UriSchemeHttps;
        string connection = string.Join(",", Endpoints.Select(e => $"{e.Scheme}://{e.Authority}"));
        if (tls)
        {
            System.Net.Security.RemoteCertificateValidationCallback? trust = _options.CaFile is { } ca ? EtcdTransport.TrustOnly(ca) : null;
            _client = new EtcdClient(connection, configureSslOptions: ssl =>
            {
                if (trust is not null)
                {
                    ssl.RemoteCertificateValidationCallback = trust;
                }
            });
        }
        else
        {
            _client = new EtcdClient(connection);
        }

        _connection = _client.GetConnection();
        Url = (tls ? EtcdStore.TlsScheme : "etcd://") + (_options.User is { } user ? Uri.EscapeDataString(user) + "@" : "") + string.Join(",", Endpoints.Select(e => e.Authority))
            + (_options.CaFile is { } caFile ? "?ca=" + caFile : "");
    }

    /// <summary>Opens a store from an <c>etcd://</c> or <c>etcds://</c> URL, parsed exactly as <see cref="StoreFactory.Open"/> parses it.</summary>
    public static GrpcEtcdStore Open(string url, EtcdStoreOptions? options = null)
    {
        var split = EtcdStore.SplitCredentials(url);
        return new GrpcEtcdStore(EtcdStore.ParseEndpoints(split.Url), (options ?? new EtcdStoreOptions()) with { User = split.User, Password = split.Password, CaFile = EtcdStore.ParseCaFile(split.Url) });
    }

    public IReadOnlyList<Uri> Endpoints { get; }

    public string Url { get; }

    public long WatchReconnects => Interlocked.Read(ref _watchReconnects);

    public async Task<StoreRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        RangeResponse answer = await CallAsync("range", (h, d, ct) => _client.GetAsync(new RangeRequest { Key = Bytes(key) }, h, d, ct), cancellationToken).ConfigureAwait(false);
        return answer.Kvs.Count > 0 ? Record(answer.Kvs[0]) : null;
    }

    public async Task<StoreListing> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix);
        var request = new RangeRequest
        {
            Key = Bytes(prefix),
            RangeEnd = PrefixRangeEnd(prefix),
            SortOrder = RangeRequest.Types.SortOrder.Ascend,
            SortTarget = RangeRequest.Types.SortTarget.Key,
        };
        RangeResponse answer = await CallAsync("range", (h, d, ct) => _client.GetAsync(request, h, d, ct), cancellationToken).ConfigureAwait(false);
        return new StoreListing(answer.Kvs.Select(Record).ToArray(), answer.Header.Revision);
    }

    public Task<bool> CreateAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default) =>
        CompareAndSetAsync(key, value, 0, lease, cancellationToken);

    public async Task<bool> CompareAndSetAsync(string key, string value, long expectedRevision, long? lease = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        string text = StoreKeys.ValidateValue(key, value).Text;
        StoreKeys.ValidateLease(lease);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        var txn = new TxnRequest();
        txn.Compare.Add(CompareRevision(key, expectedRevision, create: expectedRevision == 0));
        txn.Success.Add(new RequestOp { RequestPut = Put(key, text, lease) });
        TxnResponse answer = await WriteAsync("txn", key, lease, (h, d, ct) => _client.TransactionAsync(txn, h, d, ct), cancellationToken).ConfigureAwait(false);
        return answer.Succeeded;
    }

    public async Task<long> PutAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        string text = StoreKeys.ValidateValue(key, value).Text;
        StoreKeys.ValidateLease(lease);
        PutRequest put = Put(key, text, lease);
        PutResponse answer = await WriteAsync("put", key, lease, (h, d, ct) => _client.PutAsync(put, h, d, ct), cancellationToken).ConfigureAwait(false);
        return answer.Header.Revision;
    }

    public async Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        if (expectedRevision is not { } expected)
        {
            DeleteRangeResponse deleted = await CallAsync("deleterange", (h, d, ct) => _client.DeleteAsync(new DeleteRangeRequest { Key = Bytes(key) }, h, d, ct), cancellationToken).ConfigureAwait(false);
            return deleted.Deleted > 0;
        }

        ArgumentOutOfRangeException.ThrowIfNegative(expected, nameof(expectedRevision));
        var txn = new TxnRequest();
        txn.Compare.Add(CompareRevision(key, expected, create: false));
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(key) } });
        TxnResponse answer = await CallAsync("txn", (h, d, ct) => _client.TransactionAsync(txn, h, d, ct), cancellationToken).ConfigureAwait(false);

        // A comparison against 0 "succeeds" for a missing key; only an actual deletion counts.
        return answer.Succeeded && answer.Responses.Count > 0 && answer.Responses[0].ResponseDeleteRange.Deleted > 0;
    }

    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateTtl(ttl);
        long seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        LeaseGrantResponse answer = await CallAsync("lease grant", (h, d, ct) => _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, h, d, ct), cancellationToken).ConfigureAwait(false);
        return answer.ID != 0 ? answer.ID : throw new CoordinatorStoreException($"etcd granted a lease without an ID: {answer}");
    }

    public async Task<bool> KeepAliveAsync(long lease, CancellationToken cancellationToken = default)
    {
        if (lease <= 0)
        {
            return false;
        }

        try
        {
            LeaseKeepAliveResponse answer = await CallAsync("lease keepalive", async (h, d, ct) =>
            {
                using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call = _connection.LeaseClient.LeaseKeepAlive(h, d, ct);
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, ct).ConfigureAwait(false);
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                return await call.ResponseStream.MoveNext(ct).ConfigureAwait(false) ? call.ResponseStream.Current : new LeaseKeepAliveResponse();
            }, cancellationToken).ConfigureAwait(false);

            // An expired or unknown lease answers with TTL 0.
            return answer.TTL > 0;
        }
        catch (CoordinatorStoreException e) when (e.InnerException is RpcException { StatusCode: StatusCode.NotFound })
        {
            return false;
        }
    }

    public async Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default)
    {
        if (lease <= 0)
        {
            return;
        }

        try
        {
            await CallAsync("lease revoke", (h, d, ct) => _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, h, d, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (CoordinatorStoreException e) when (e.InnerException is RpcException { StatusCode: StatusCode.NotFound })
        {
            // Already gone: revoking is idempotent.
        }
    }

    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long? fromRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return WatchCoreAsync(prefix, fromRevision, cancellationToken);
    }

    /// <summary>One raw Watch stream at a time, reopened from the revision after the last one delivered.</summary>
    private async IAsyncEnumerable<StoreEvent> WatchCoreAsync(string prefix, long? fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long next = fromRevision is { } from ? Math.Max(1, from) : await RevisionForWatchAsync(cancellationToken).ConfigureAwait(false) + 1;
        var batch = new List<StoreEvent>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_disposed, this);
            AsyncDuplexStreamingCall<WatchRequest, WatchResponse>? call = null;
            bool compacted = false;
            try
            {
                Metadata? headers = await HeadersAsync(cancellationToken).ConfigureAwait(false);
                call = _connection.WatchClient.Watch(headers, null, cancellationToken);
                await call.RequestStream.WriteAsync(new WatchRequest
                {
                    CreateRequest = new WatchCreateRequest { Key = Bytes(prefix), RangeEnd = PrefixRangeEnd(prefix), StartRevision = next },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is RpcException or IOException or CoordinatorStoreException or InvalidOperationException)
            {
                call?.Dispose();
                call = null;
                ForgetTokenIfInvalid(e);
            }

            if (call is not null)
            {
                using (call)
                {
                    while (true)
                    {
                        WatchResponse? response = await ReadWatchAsync(call, cancellationToken).ConfigureAwait(false);
                        if (response is null)
                        {
                            break;
                        }

                        if (response.Canceled)
                        {
                            // A stale token is not an RpcException here: the watch is "created" and at once canceled
                            // with cancel_reason "…invalid auth token".
                            compacted = response.CompactRevision > 0;
                            if (_options.User is not null && (response.CancelReason.Contains("invalid auth token", StringComparison.Ordinal) || response.CancelReason.Contains("revision of auth store is old", StringComparison.Ordinal)))
                            {
                                _token = null;
                            }

                            break;
                        }

                        foreach (Mvccpb.Event change in response.Events)
                        {
                            StoreRecord kv = Record(change.Kv);
                            bool delete = change.Type == Mvccpb.Event.Types.EventType.Delete;
                            if (kv.Revision >= next && kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                            {
                                batch.Add(new StoreEvent(delete ? StoreEventKind.Delete : StoreEventKind.Put, kv.Key, delete ? null : kv.Value, kv.Revision));
                            }
                        }

                        if (response.Events.Count > 0)
                        {
                            next = Math.Max(next, response.Events[^1].Kv.ModRevision + 1);
                        }

                        foreach (StoreEvent change in batch)
                        {
                            yield return change;
                        }

                        batch.Clear();
                    }
                }
            }

            if (compacted)
            {
                long revision = await RevisionForWatchAsync(cancellationToken).ConfigureAwait(false);
                next = revision + 1;
                yield return new StoreEvent(StoreEventKind.Reset, prefix, null, revision);
            }

            Interlocked.Increment(ref _watchReconnects);
            await Task.Delay(_options.WatchReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next watch message; null when the stream ended or broke (the watch then reopens).</summary>
    private async Task<WatchResponse?> ReadWatchAsync(AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current : null;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            ForgetTokenIfInvalid(e);
            return null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private async Task<long> RevisionForWatchAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                RangeResponse answer = await CallAsync("range", (h, d, ct) => _client.GetAsync(new RangeRequest { Key = Bytes("/"), CountOnly = true }, h, d, ct), cancellationToken).ConfigureAwait(false);
                return answer.Header.Revision;
            }
            catch (CoordinatorStoreException)
            {
                Interlocked.Increment(ref _watchReconnects);
            }

            await Task.Delay(_options.WatchReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _client.Dispose();
        _authLock.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => Url;

    private delegate Task<T> Call<T>(Metadata? headers, DateTime? deadline, CancellationToken cancellationToken);

    /// <summary>A write that may name a lease: etcd's NOT_FOUND becomes <see cref="LeaseNotFoundException"/>.</summary>
    private async Task<T> WriteAsync<T>(string what, string key, long? lease, Call<T> call, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(what, call, cancellationToken).ConfigureAwait(false);
        }
        catch (CoordinatorStoreException e) when (lease is { } id && e.InnerException is RpcException { StatusCode: StatusCode.NotFound })
        {
            throw new LeaseNotFoundException($"Lease {id} does not exist or has expired, so \"{key}\" was not written; grant a new lease (and re-register) before writing ephemeral records.", e);
        }
    }

    /// <summary>One call with a per-request deadline, retried (gRPC picks the member) until the operation timeout.</summary>
    private async Task<T> CallAsync<T>(string what, Call<T> call, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long started = Stopwatch.GetTimestamp();
        string? last = null;
        for (int round = 0; ; round++)
        {
            try
            {
                Metadata? headers = await HeadersAsync(cancellationToken).ConfigureAwait(false);
                return await call(headers, DateTime.UtcNow + _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                bool tokenExpired = ForgetTokenIfInvalid(e);
                if (!tokenExpired && e.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded))
                {
                    throw new CoordinatorStoreException($"{Url} refused {what}: {e.Status.Detail} ({e.StatusCode})", e);
                }

                last = $"{e.StatusCode}: {e.Status.Detail}";
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Grpc.Net sometimes reports its own deadline firing as a bare OperationCanceledException
                // (a race inside GrpcCall.RunCall, seen once in CI) instead of RpcException(DeadlineExceeded):
                // the caller did not cancel, so it is a request that timed out and is retried like one.
                last = "DeadlineExceeded: the request timed out";
            }

            if (Stopwatch.GetElapsedTime(started) >= _options.OperationTimeout)
            {
                throw new CoordinatorStoreException(
                    $"No etcd endpoint answered {what} within {_options.OperationTimeout.TotalSeconds:0.#} s (tried {string.Join(", ", Endpoints.Select(e => e.Authority))}; last error: {last}).");
            }

            await Task.Delay(_options.RetryDelay * Math.Min(round + 1, 5), cancellationToken).ConfigureAwait(false);
        }
    }

    private bool ForgetTokenIfInvalid(Exception e)
    {
        if (_options.User is not null && e is RpcException rpc && (rpc.Status.Detail.Contains("invalid auth token", StringComparison.Ordinal) || rpc.Status.Detail.Contains("revision of auth store is old", StringComparison.Ordinal)))
        {
            _token = null;
            return true;
        }

        return false;
    }

    /// <summary>The "token" header when the store authenticates, asking etcd for a token first if there is none.</summary>
    private async Task<Metadata?> HeadersAsync(CancellationToken cancellationToken)
    {
        if (_options.User is not { } user)
        {
            return null;
        }

        string? token = _token;
        if (token is null)
        {
            await _authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                token = _token;
                if (token is null)
                {
                    try
                    {
                        AuthenticateResponse answer = await _client.AuthenticateAsync(
                            new AuthenticateRequest { Name = user, Password = _options.Password ?? "" }, null, DateTime.UtcNow + _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                        token = answer.Token;
                        _token = token;
                    }
                    catch (RpcException e) when (e.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled))
                    {
                        throw new CoordinatorStoreException($"etcd at {string.Join(",", Endpoints.Select(x => x.Authority))} refused user '{user}' ({e.Status.Detail}); check the user and password in the store URL (etcd://user:password@host:2379) or TESSERA_ETCD_PASSWORD", e);
                    }
                }
            }
            finally
            {
                _authLock.Release();
            }
        }

        return new Metadata { { "token", token } };
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    private static ByteString PrefixRangeEnd(string prefix) => ByteString.FromBase64(EtcdJson.PrefixRangeEnd(prefix));

    private static PutRequest Put(string key, string value, long? lease) => new() { Key = Bytes(key), Value = Bytes(value), Lease = lease ?? 0 };

    private static Compare CompareRevision(string key, long revision, bool create) => create
        ? new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = revision }
        : new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision };

    private static StoreRecord Record(Mvccpb.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToStringUtf8(), kv.ModRevision, kv.CreateRevision, kv.Version, kv.Lease == 0 ? null : kv.Lease);
}
