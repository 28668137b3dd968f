using System.Globalization;

namespace Tessera.Model.Api;

/// <summary>
/// The controller's HTTP paths: route templates for the controller's route table (<c>ControllerApi.Map</c>) and
/// the matching path builders for its typed client (<c>ControllerClient</c>), the CLI and the proxies (which post
/// <see cref="HealthReports"/>), side by side so they cannot drift apart. Combine with a base URL by
/// <see cref="ApiUrl.Combine(string, string)"/>.
/// </summary>
public static class ControllerRoutes
{
    public const string Health = "/healthz";

    /// <summary>GET: the controller's metrics in the Prometheus text format (OpenMetrics when asked); a viewer token reads them.</summary>
    public const string Metrics = "/metrics";
    public const string Controller = "/api/controller";
    public const string Status = "/api/status";
    public const string Proxies = "/api/proxies";
    public const string Namespaces = "/api/namespaces";
    public const string Namespace = "/api/namespaces/{ns}";
    public const string Groups = "/api/namespaces/{ns}/groups";
    public const string Group = "/api/namespaces/{ns}/groups/{gid}";
    public const string Servers = "/api/namespaces/{ns}/groups/{gid}/servers";
    public const string Server = "/api/namespaces/{ns}/groups/{gid}/servers/{address}";
    public const string Slots = "/api/namespaces/{ns}/slots";
    public const string Users = "/api/namespaces/{ns}/users";
    public const string User = "/api/namespaces/{ns}/users/{user}";

    /// <summary>The namespace's backend credentials (a path under "/secrets": admin only).</summary>
    public const string BackendSecret = "/api/namespaces/{ns}/secrets/backend";

    /// <summary>The namespace's TLS to its redis-servers (CA, client certificate and key; under "/secrets": admin only).</summary>
    public const string BackendTlsSecret = "/api/namespaces/{ns}/secrets/backend-tls";
    public const string AllMigrations = "/api/migrations";
    public const string Migrations = "/api/namespaces/{ns}/migrations";
    public const string Migration = "/api/namespaces/{ns}/migrations/{id}";
    public const string Rebalance = "/api/namespaces/{ns}/rebalance";
    public const string Promote = "/api/namespaces/{ns}/groups/{gid}/promote";
    public const string Events = "/api/events";
    public const string ServerHealth = "/api/health";
    public const string HealthReports = "/api/health/reports";
    public const string Tokens = "/api/tokens";
    public const string Token = "/api/tokens/{name}";
    public const string Audit = "/api/audit";

    /// <summary>Alerts pending and firing now (the leader's view).</summary>
    public const string Alerts = "/api/alerts";
    public const string AlertRules = "/api/alerts/rules";
    public const string AlertRule = "/api/alerts/rules/{name}";

    /// <summary>The rules as a Prometheus rule file (YAML).</summary>
    public const string AlertRuleFile = "/api/alerts/prometheus-rules";
    public const string AlertWebhooks = "/api/alerts/webhooks";

    /// <summary>Health scores of every server and group, with reasons.</summary>
    public const string HealthScores = "/api/health/scores";

    /// <summary>The namespaces ranked by ops/s, memory utilisation, hit rate and growth.</summary>
    public const string Top = "/api/top";

    public static string AlertRulePath(string name) => $"{AlertRules}/{Escape(name)}";

    public static string NamespacePath(string ns) => $"{Namespaces}/{Escape(ns)}";

    public static string GroupsPath(string ns) => $"{NamespacePath(ns)}/groups";

    public static string GroupPath(string ns, int groupId) => $"{GroupsPath(ns)}/{groupId.ToString(CultureInfo.InvariantCulture)}";

    public static string ServersPath(string ns, int groupId) => $"{GroupPath(ns, groupId)}/servers";

    public static string ServerPath(string ns, int groupId, string address) => $"{ServersPath(ns, groupId)}/{Escape(address)}";

    public static string SlotsPath(string ns) => $"{NamespacePath(ns)}/slots";

    public static string UsersPath(string ns) => $"{NamespacePath(ns)}/users";

    public static string UserPath(string ns, string user) => $"{UsersPath(ns)}/{Escape(user)}";

    public static string BackendSecretPath(string ns) => $"{NamespacePath(ns)}/secrets/backend";

    public static string BackendTlsSecretPath(string ns) => $"{NamespacePath(ns)}/secrets/backend-tls";

    public static string MigrationsPath(string ns) => $"{NamespacePath(ns)}/migrations";

    public static string MigrationPath(string ns, string id) => $"{MigrationsPath(ns)}/{Escape(id)}";

    public static string RebalancePath(string ns) => $"{NamespacePath(ns)}/rebalance";

    public static string PromotePath(string ns, int groupId) => $"{GroupPath(ns, groupId)}/promote";

    /// <summary><see cref="Events"/> with <c>?limit=</c>.</summary>
    public static string EventsPath(int limit) => $"{Events}?limit={limit.ToString(CultureInfo.InvariantCulture)}";

    public static string TokenPath(string name) => $"{Tokens}/{Escape(name)}";

    /// <summary><see cref="Audit"/> with <c>?limit=</c>.</summary>
    public static string AuditPath(int limit) => $"{Audit}?limit={limit.ToString(CultureInfo.InvariantCulture)}";

    /// <summary><see cref="Proxies"/>, with <c>?zone=</c> when <paramref name="zone"/> is given (that zone's proxies only).</summary>
    public static string ProxiesPath(string? zone) => string.IsNullOrEmpty(zone) ? Proxies : Proxies + "?zone=" + Uri.EscapeDataString(zone);

    /// <summary><see cref="NamespacePath"/> with <c>?force=true</c> when <paramref name="force"/> (removing a namespace that still routes slots).</summary>

    public static string NamespacePath(string ns, bool force) => NamespacePath(ns) + (force ? "?force=true" : "");

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
