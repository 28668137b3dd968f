using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Security;

namespace Tessera.Controller.Proxies;

/// <summary>
/// Calls a proxy's admin HTTP API: <see cref="ProxyAdminRoutes.Routes"/> (a <see cref="RoutePush"/>, answered with
/// the proxy's <see cref="ProxyRoutesState"/>) and <see cref="ProxyAdminRoutes.Topology"/>. Every call is bounded by
/// the given timeout and carries the cluster secret as <c>Authorization: Bearer</c>: proxies refuse anything else.
/// </summary>
internal sealed class ProxyAdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<string?> _clusterSecret;

    /// <param name="clusterSecret">The cluster secret as the controller knows it now (it may change while the controller runs).</param>
    /// <param name="caCertFile">A CA trusted besides the system's for proxies whose admin API speaks https; null: none.</param>
    public ProxyAdminClient(Func<string?> clusterSecret, string? caCertFile = null)
    {
        _clusterSecret = clusterSecret;
        // Short connect timeout: a proxy that is gone refuses or times out fast and is retried on the next round.
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        }.Trusting(caCertFile))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Pushes routes; the proxy's state when it answered 2xx with one, otherwise throws <see cref="ProxyCallException"/>.</summary>
    public async Task<ProxyRoutesState> PushAsync(ProxyRecord proxy, RoutePush push, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            using var request = Request(HttpMethod.Post, proxy, ProxyAdminRoutes.Routes);
            request.Content = JsonContent.Create(push, options: TesseraJson.Options);
            using var response = await _http.SendAsync(request, bound.Token).ConfigureAwait(false);
            return await ReadStateAsync(proxy, response, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            throw new ProxyCallException(Describe(e, timeout), e);
        }
    }

    /// <summary>What the proxy serves; throws <see cref="ProxyCallException"/> when it does not answer in time.</summary>
    public async Task<ProxyRoutesState> GetStateAsync(ProxyRecord proxy, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            using var request = Request(HttpMethod.Get, proxy, ProxyAdminRoutes.Topology);
            using var response = await _http.SendAsync(request, bound.Token).ConfigureAwait(false);
            return await ReadStateAsync(proxy, response, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            throw new ProxyCallException(Describe(e, timeout), e);
        }
    }

    /// <summary>The proxy's /metrics in the Prometheus text format; throws <see cref="ProxyCallException"/> when it does not answer in time.</summary>
    public async Task<string> GetMetricsTextAsync(ProxyRecord proxy, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            using var request = Request(HttpMethod.Get, proxy, ProxyAdminRoutes.Metrics);
            request.Headers.Accept.ParseAdd("text/plain; version=0.0.4");
            using var response = await _http.SendAsync(request, bound.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(bound.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? body
                : throw new ProxyCallException($"{proxy.AdminUrl}{ProxyAdminRoutes.Metrics} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception e) when (Unreachable(e, cancellationToken))
        {
            throw new ProxyCallException(Describe(e, timeout), e);
        }
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Request(HttpMethod method, ProxyRecord proxy, string path)
    {
        var request = new HttpRequestMessage(method, ApiUrl.Combine(proxy.AdminUrl, path));
        if (_clusterSecret() is { } secret)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        }

        return request;
    }

    private static async Task<ProxyRoutesState> ReadStateAsync(ProxyRecord proxy, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);

        // 409 carries the proxy's state when it already serves a newer epoch than the push: the caller compares epochs.
        if (!response.IsSuccessStatusCode && !(response.StatusCode == System.Net.HttpStatusCode.Conflict && body.Contains("\"namespaces\"", StringComparison.OrdinalIgnoreCase)))
        {
            var text = body.Length > 200 ? body[..200] + "…" : body;
            throw new ProxyCallException($"{proxy.AdminUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}: {text}");
        }

        try
        {
            return JsonSerializer.Deserialize<ProxyRoutesState>(body, TesseraJson.Options)
                ?? throw new ProxyCallException($"{proxy.AdminUrl} answered null instead of its routes state");
        }
        catch (JsonException e)
        {
            throw new ProxyCallException($"{proxy.AdminUrl} answered something that is not a routes state ({e.Message})", e);
        }
    }

    private static bool Unreachable(Exception e, CancellationToken caller) =>
        e is HttpRequestException or IOException or UriFormatException or OperationCanceledException && !caller.IsCancellationRequested;

    private static string Describe(Exception e, TimeSpan timeout) =>
        e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message;
}

/// <summary>A proxy's admin API did not answer, or answered something other than its routes state.</summary>
public sealed class ProxyCallException : Exception
{
    public ProxyCallException()
    {
    }

    public ProxyCallException(string message)
        : base(message)
    {
    }

    public ProxyCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
