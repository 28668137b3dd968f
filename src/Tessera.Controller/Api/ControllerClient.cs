using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Tessera.Controller.Events;
using Tessera.Controller.Failover;
using Tessera.Controller.Health;
using Tessera.Controller.Migration;
using Tessera.Controller.Rebalance;
using Tessera.Model.Api;
using Tessera.Model.Insight;
using Tessera.Model.Security;
using Tessera.Model.Topology;

namespace Tessera.Controller.Api;

/// <summary>
/// Typed client of the controller's HTTP API (routes in <see cref="ControllerRoutes"/>), used by the admin CLI
/// and by tests. A refusal throws <see cref="ControllerApiException"/> carrying the status and the controller's
/// reason; a controller that cannot be reached throws <see cref="ControllerUnreachableException"/>.
/// </summary>
public sealed class ControllerClient : IDisposable
{
    /// <summary>Default bound on one call; a change waits for its route pushes, which may wait out a dead proxy's lease.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private Uri? _target;
    private readonly bool _ownsHttp;

    /// <summary>A client with its own <see cref="HttpClient"/> for the controller at <paramref name="baseUrl"/>.</summary>
    public ControllerClient(Uri baseUrl, TimeSpan? timeout = null)
        : this(new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) }) { Timeout = timeout ?? DefaultTimeout }, baseUrl, ownsHttp: true)
    {
    }

    /// <summary>
    /// A client for the controller at <paramref name="baseUrl"/> (http or https) that trusts <paramref name="caCertFile"/>'s
    /// certificates besides the system's (null: the system's only).
    /// </summary>
    public ControllerClient(Uri baseUrl, string? caCertFile, TimeSpan? timeout = null)
        : this(new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(3) }.Trusting(caCertFile)) { Timeout = timeout ?? DefaultTimeout }, baseUrl, ownsHttp: true)
    {
    }

    /// <summary>A client over <paramref name="http"/> (not disposed by this client).</summary>
    public ControllerClient(HttpClient http, Uri baseUrl)
        : this(http, baseUrl, ownsHttp: false)
    {
    }

    private ControllerClient(HttpClient http, Uri baseUrl, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        _http = http;
        _ownsHttp = ownsHttp;
        BaseUrl = new Uri(baseUrl.ToString().TrimEnd('/') + "/");
    }

    /// <summary>The controller's base URL as given.</summary>
    public Uri BaseUrl { get; }

    /// <summary>
    /// When a standby answers a change with 503 naming the leader, send it to the leader instead (the CLI does,
    /// so --controller may name any controller of the cluster). Off by default: tests and tools that talk to one
    /// particular controller want its own answer.
    /// </summary>
    public bool FollowLeader { get; init; }

    /// <summary>The API token sent as <c>Authorization: Bearer</c> on every call (null: none, which only <c>/healthz</c> accepts).</summary>
    public string? Token { get; init; }

    /// <summary>Where requests go now: <see cref="BaseUrl"/>, or the leader a standby named.</summary>
    public Uri Target => Volatile.Read(ref _target) ?? BaseUrl;

    public Task<ControllerInfo> GetControllerAsync(CancellationToken cancellationToken = default) =>
        SendAsync<ControllerInfo>(HttpMethod.Get, ControllerRoutes.Controller, null, cancellationToken);

    public Task<StatusReport> GetStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync<StatusReport>(HttpMethod.Get, ControllerRoutes.Status, null, cancellationToken);

    public Task<IReadOnlyList<ProxyStatus>> ListProxiesAsync(CancellationToken cancellationToken = default) => ListProxiesAsync(null, cancellationToken);

    /// <summary>The live proxies, only those of <paramref name="zone"/> when given (discovery for plain clients).</summary>
    public Task<IReadOnlyList<ProxyStatus>> ListProxiesAsync(string? zone, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ProxyStatus>>(HttpMethod.Get, ControllerRoutes.ProxiesPath(zone), null, cancellationToken);

    public Task<IReadOnlyList<NamespaceConfig>> ListNamespacesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<NamespaceConfig>>(HttpMethod.Get, ControllerRoutes.Namespaces, null, cancellationToken);

    public Task<NamespaceConfig> GetNamespaceAsync(string ns, CancellationToken cancellationToken = default) =>
        SendAsync<NamespaceConfig>(HttpMethod.Get, ControllerRoutes.NamespacePath(ns), null, cancellationToken);

    public Task<ChangeResult> CreateNamespaceAsync(string ns, CancellationToken cancellationToken = default) => CreateNamespaceAsync(ns, open: false, cancellationToken);

    /// <summary>Creates a namespace; <paramref name="open"/>: clients need no password.</summary>
    public Task<ChangeResult> CreateNamespaceAsync(string ns, bool open, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Post, ControllerRoutes.Namespaces, new CreateNamespaceRequest(ns, open), cancellationToken);

    public Task<IReadOnlyList<UserView>> ListUsersAsync(string ns, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<UserView>>(HttpMethod.Get, ControllerRoutes.UsersPath(ns), null, cancellationToken);

    /// <summary>Adds a user; the answer carries its password (generated when the request has none), shown this once.</summary>
    public Task<UserView> CreateUserAsync(string ns, CreateUserRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<UserView>(HttpMethod.Post, ControllerRoutes.UsersPath(ns), request, cancellationToken);

    public Task<UserView> UpdateUserAsync(string ns, string user, UpdateUserRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<UserView>(HttpMethod.Patch, ControllerRoutes.UserPath(ns, user), request, cancellationToken);

    public Task<UserView> RemoveUserAsync(string ns, string user, CancellationToken cancellationToken = default) =>
        SendAsync<UserView>(HttpMethod.Delete, ControllerRoutes.UserPath(ns, user), null, cancellationToken);

    /// <summary>The namespace's backend credentials, password masked; 404 (<see cref="ControllerApiException"/>) when none are set.</summary>
    public Task<BackendCredentialsView> GetBackendCredentialsAsync(string ns, CancellationToken cancellationToken = default) =>
        SendAsync<BackendCredentialsView>(HttpMethod.Get, ControllerRoutes.BackendSecretPath(ns), null, cancellationToken);

    public Task<BackendCredentialsView> SetBackendCredentialsAsync(string ns, SetBackendCredentialsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<BackendCredentialsView>(HttpMethod.Put, ControllerRoutes.BackendSecretPath(ns), request, cancellationToken);

    public Task<BackendCredentialsView> RemoveBackendCredentialsAsync(string ns, CancellationToken cancellationToken = default) =>
        SendAsync<BackendCredentialsView>(HttpMethod.Delete, ControllerRoutes.BackendSecretPath(ns), null, cancellationToken);

    public Task<BackendTlsView> GetBackendTlsAsync(string ns, CancellationToken cancellationToken = default) =>
        SendAsync<BackendTlsView>(HttpMethod.Get, ControllerRoutes.BackendTlsSecretPath(ns), null, cancellationToken);

    public Task<BackendTlsView> SetBackendTlsAsync(string ns, SetBackendTlsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<BackendTlsView>(HttpMethod.Put, ControllerRoutes.BackendTlsSecretPath(ns), request, cancellationToken);

    public Task<BackendTlsView> RemoveBackendTlsAsync(string ns, CancellationToken cancellationToken = default) =>
        SendAsync<BackendTlsView>(HttpMethod.Delete, ControllerRoutes.BackendTlsSecretPath(ns), null, cancellationToken);

    /// <summary>Changes a namespace's settings (null fields stay as they are).</summary>
    public Task<ChangeResult> UpdateNamespaceAsync(string ns, UpdateNamespaceRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Patch, ControllerRoutes.NamespacePath(ns), request, cancellationToken);

    /// <summary>Removes a namespace; <paramref name="force"/> also when slots are still assigned.</summary>
    public Task<ChangeResult> RemoveNamespaceAsync(string ns, bool force = false, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Delete, ControllerRoutes.NamespacePath(ns, force), null, cancellationToken);

    public Task<ChangeResult> CreateGroupAsync(string ns, int groupId, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Post, ControllerRoutes.GroupsPath(ns), new CreateGroupRequest(groupId), cancellationToken);

    public Task<ChangeResult> RemoveGroupAsync(string ns, int groupId, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Delete, ControllerRoutes.GroupPath(ns, groupId), null, cancellationToken);

    /// <summary>Adds "host:port" to a group: master when the group has none, replica otherwise.</summary>
    public Task<ChangeResult> AddServerAsync(string ns, int groupId, string address, string? zone = null, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Post, ControllerRoutes.ServersPath(ns, groupId), new AddServerRequest(address, zone), cancellationToken);

    /// <summary>Sets the zone label of a server of a group (null removes it).</summary>
    public Task<ChangeResult> SetServerZoneAsync(string ns, int groupId, string address, string? zone, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Patch, ControllerRoutes.ServerPath(ns, groupId, address), new UpdateServerRequest(zone), cancellationToken);

    public Task<ChangeResult> RemoveServerAsync(string ns, int groupId, string address, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Delete, ControllerRoutes.ServerPath(ns, groupId, address), null, cancellationToken);

    public Task<SlotsView> GetSlotsAsync(string ns, CancellationToken cancellationToken = default) =>
        SendAsync<SlotsView>(HttpMethod.Get, ControllerRoutes.SlotsPath(ns), null, cancellationToken);

    /// <summary>Assigns the unassigned slots <paramref name="from"/>..<paramref name="to"/> to a group.</summary>
    public Task<ChangeResult> AssignSlotsAsync(string ns, int from, int to, int groupId, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Post, ControllerRoutes.SlotsPath(ns), new AssignSlotsRequest(from, to, groupId), cancellationToken);

    /// <summary>Queues a migration of slots <paramref name="from"/>..<paramref name="to"/> to a group; it runs in the background (poll <see cref="GetMigrationAsync"/>).</summary>
    public Task<SlotMigration> StartMigrationAsync(string ns, int from, int to, int groupId, MigrationSettings? settings = null, CancellationToken cancellationToken = default) =>
        SendAsync<SlotMigration>(HttpMethod.Post, ControllerRoutes.MigrationsPath(ns), new StartMigrationRequest { From = from, To = to, Group = groupId, Settings = settings }, cancellationToken);

    /// <summary>The migrations of a namespace (every namespace when null), oldest first.</summary>
    public Task<IReadOnlyList<SlotMigration>> ListMigrationsAsync(string? ns = null, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<SlotMigration>>(HttpMethod.Get, ns is null ? ControllerRoutes.AllMigrations : ControllerRoutes.MigrationsPath(ns), null, cancellationToken);

    public Task<SlotMigration> GetMigrationAsync(string ns, string id, CancellationToken cancellationToken = default) =>
        SendAsync<SlotMigration>(HttpMethod.Get, ControllerRoutes.MigrationPath(ns, id), null, cancellationToken);

    /// <summary>pause, resume, cancel or throttle one migration, or every unfinished one of the namespace with id "all".</summary>
    public Task<IReadOnlyList<SlotMigration>> ControlMigrationAsync(string ns, string id, MigrationControlRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<SlotMigration>>(HttpMethod.Post, ControllerRoutes.MigrationPath(ns, id), request, cancellationToken);

    /// <summary>Plans an even spread of the namespace's slots and, unless a dry run, queues it as migrations.</summary>
    public Task<RebalanceResult> RebalanceAsync(string ns, RebalanceRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<RebalanceResult>(HttpMethod.Post, ControllerRoutes.RebalancePath(ns), request, cancellationToken);

    /// <summary>Makes <paramref name="address"/>, a replica of the group, its master (a switchover when the master is alive, a failover when not).</summary>
    public Task<ChangeResult> PromoteAsync(string ns, int groupId, string address, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Post, ControllerRoutes.PromotePath(ns, groupId), new PromoteRequest(address), cancellationToken);

    /// <summary>The newest <paramref name="limit"/> failure-detection and failover events, oldest first.</summary>
    public Task<IReadOnlyList<ControllerEvent>> ListEventsAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ControllerEvent>>(HttpMethod.Get, ControllerRoutes.EventsPath(limit), null, cancellationToken);

    /// <summary>Health scores of every server and group, with what took points off (the leader's last insight round).</summary>
    public Task<HealthScoreReport> GetHealthScoresAsync(CancellationToken cancellationToken = default) =>
        SendAsync<HealthScoreReport>(HttpMethod.Get, ControllerRoutes.HealthScores, null, cancellationToken);

    /// <summary>The namespaces ranked by ops/s, memory utilisation, hit rate and growth.</summary>
    public Task<TopReport> GetTopAsync(CancellationToken cancellationToken = default) =>
        SendAsync<TopReport>(HttpMethod.Get, ControllerRoutes.Top, null, cancellationToken);

    /// <summary>The alerts pending and firing now.</summary>
    public Task<AlertsView> ListAlertsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<AlertsView>(HttpMethod.Get, ControllerRoutes.Alerts, null, cancellationToken);

    /// <summary>The alert rules and (masked) webhooks.</summary>
    public Task<AlertSettings> GetAlertSettingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<AlertSettings>(HttpMethod.Get, ControllerRoutes.AlertRules, null, cancellationToken);

    /// <summary>Adds or replaces the rule of that name.</summary>
    public Task<AlertSettings> SetAlertRuleAsync(AlertRule rule, CancellationToken cancellationToken = default) =>
        SendAsync<AlertSettings>(HttpMethod.Put, ControllerRoutes.AlertRulePath(rule.Name), rule, cancellationToken);

    public Task<AlertSettings> RemoveAlertRuleAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<AlertSettings>(HttpMethod.Delete, ControllerRoutes.AlertRulePath(name), null, cancellationToken);

    /// <summary>Adds (or with <paramref name="remove"/>, removes) a webhook URL.</summary>
    public Task<AlertSettings> ChangeAlertWebhookAsync(string url, bool remove, CancellationToken cancellationToken = default) =>
        SendAsync<AlertSettings>(HttpMethod.Post, ControllerRoutes.AlertWebhooks, new WebhookChange(url, remove), cancellationToken);

    /// <summary>Every group's servers as the controller's probes see them.</summary>
    public Task<HealthReport> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync<HealthReport>(HttpMethod.Get, ControllerRoutes.ServerHealth, null, cancellationToken);

    /// <summary>A passive signal that a backend failed: the controller probes it at once (it never decides on this alone).</summary>
    public Task ReportBackendFailureAsync(BackendFailureReport report, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, ControllerRoutes.HealthReports, report, cancellationToken);

    /// <summary>Every API token (names, roles, who made them; never the tokens or their hashes). Admin only.</summary>
    public Task<IReadOnlyList<TokenInfo>> ListTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<TokenInfo>>(HttpMethod.Get, ControllerRoutes.Tokens, null, cancellationToken);

    /// <summary>Creates a token with <paramref name="role"/> (viewer, operator, admin); the answer is the only place the token is shown. Admin only.</summary>
    public Task<CreatedToken> CreateTokenAsync(string name, string role, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedToken>(HttpMethod.Post, ControllerRoutes.Tokens, new CreateTokenRequest(name, role), cancellationToken);

    /// <summary>Revokes a token (never the last admin token). Admin only.</summary>
    public Task RevokeTokenAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, ControllerRoutes.TokenPath(name), null, cancellationToken);

    /// <summary>The newest <paramref name="limit"/> audit entries (admin changes), oldest first. Admin only.</summary>
    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<AuditEntry>>(HttpMethod.Get, ControllerRoutes.AuditPath(limit), null, cancellationToken);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>
    /// Sends to <see cref="BaseUrl"/>, or with <see cref="FollowLeader"/> to the controller last known to lead:
    /// a standby answers a change with 503 naming the leader, the request is sent there once, and later calls go
    /// there directly, until it stops answering (then <see cref="BaseUrl"/> again).
    /// </summary>
    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        if (!FollowLeader)
        {
            return await SendToAsync<T>(BaseUrl, method, path, body, cancellationToken).ConfigureAwait(false);
        }

        var target = Target;
        try
        {
            return await SendToAsync<T>(target, method, path, body, cancellationToken).ConfigureAwait(false);
        }
        catch (StandbyException e) when (e.Leader != target)
        {
            Volatile.Write(ref _target, e.Leader);
            return await SendToAsync<T>(e.Leader, method, path, body, cancellationToken).ConfigureAwait(false);
        }
        catch (ControllerUnreachableException) when (target != BaseUrl)
        {
            // The leader we were sent to is gone: ask the controller we were given again (it may lead now, or name the new leader).
            Volatile.Write(ref _target, null);
            return await SendAsync<T>(method, path, body, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> SendToAsync<T>(Uri baseUrl, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, ApiUrl.Combine(baseUrl, path));
        if (Token is { } token)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: TesseraJson.Options);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ControllerUnreachableException(baseUrl, Reason(e), e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControllerUnreachableException(baseUrl, $"no answer within {_http.Timeout.TotalSeconds:0} s", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var error = ParseError(text);
                if (FollowLeader && response.StatusCode == HttpStatusCode.ServiceUnavailable && Uri.TryCreate(error?.Leader, UriKind.Absolute, out var leader))
                {
                    throw new StandbyException(new Uri(leader.ToString().TrimEnd('/') + "/"), error!.Error);
                }

                throw new ControllerApiException(response.StatusCode, error?.Error ?? ErrorText(baseUrl, response, text));
            }

            try
            {
                return JsonSerializer.Deserialize<T>(text, TesseraJson.Options)
                    ?? throw new ControllerApiException(response.StatusCode, $"the controller at {baseUrl} answered {method} {path} with null");
            }
            catch (JsonException e)
            {
                throw new ControllerApiException(response.StatusCode, $"the controller at {baseUrl} answered {method} {path} with something that is not the expected JSON ({e.Message}); is that URL a Tessera controller?", e);
            }
        }
    }

    private static ApiError? ParseError(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<ApiError>(text, TesseraJson.Options) is { Error.Length: > 0 } error ? error : null;
        }
        catch (JsonException)
        {
            // Not a controller's error body: the caller describes what came back instead.
            return null;
        }
    }

    private static string ErrorText(Uri baseUrl, HttpResponseMessage response, string text)
    {
        var snippet = text.Length > 200 ? text[..200] + "…" : text;
        return $"{baseUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}{(snippet.Length > 0 ? ": " + snippet : "")}; is that URL a Tessera controller?";
    }

    private static string Reason(HttpRequestException e) =>
        e.InnerException is SocketException socket ? socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused: nothing listens there",
            SocketError.HostNotFound or SocketError.NoData => "unknown host",
            SocketError.TimedOut => "connection timed out",
            _ => socket.Message,
        }
        : e.InnerException is System.Security.Authentication.AuthenticationException tls
            ? $"the TLS handshake failed: {tls.Message} (is its certificate signed by a private CA? give --ca-cert FILE or set {TlsTrust.CaVariable})"
            : e.Message;
}

/// <summary>The controller answered with an error: <see cref="StatusCode"/> and its reason in <see cref="Exception.Message"/>.</summary>
public class ControllerApiException : Exception
{
    public ControllerApiException()
    {
    }

    public ControllerApiException(string message)
        : base(message)
    {
    }

    public ControllerApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControllerApiException(HttpStatusCode statusCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>400 bad input, 401 no or unknown token, 403 role too small, 404 unknown thing, 409 conflict, 503 standby or store unreachable.</summary>
    public HttpStatusCode StatusCode { get; }
}

/// <summary>No controller answered at the URL: the message says so, with the URL and how to start one.</summary>
public sealed class ControllerUnreachableException : ControllerApiException
{
    public ControllerUnreachableException()
    {
    }

    public ControllerUnreachableException(string message)
        : base(message)
    {
    }

    public ControllerUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControllerUnreachableException(Uri url, string reason, Exception? innerException = null)
        : base(HttpStatusCode.ServiceUnavailable, Describe(url, reason), innerException)
    {
    }

    private static string Describe(Uri url, string reason) =>
        $"cannot reach the controller at {url.ToString().TrimEnd('/')} ({reason}); start one with `tessera controller --store file:///var/lib/tessera` (or `tessera up`), or point --controller at a running one";
}

/// <summary>A standby's 503 that names the leader: the client sends the request there instead (once).</summary>
internal sealed class StandbyException : ControllerApiException
{
    public StandbyException(Uri leader, string message)
        : base(HttpStatusCode.ServiceUnavailable, message)
    {
        Leader = leader;
    }

    public Uri Leader { get; }
}
