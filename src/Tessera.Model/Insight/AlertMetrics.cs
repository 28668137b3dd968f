namespace Tessera.Model.Insight;

/// <summary>One value alert rules can compare: its labels and the PromQL that computes it from the exported metrics.</summary>
/// <param name="Name">The name rules use.</param>
/// <param name="Labels">The labels of its series.</param>
/// <param name="Expression">PromQL over the proxies' and controllers' /metrics; "{0}" is where a rule's label matchers go.</param>
/// <param name="Description">What it is, for --help and the docs.</param>
public sealed record AlertMetric(string Name, IReadOnlyList<string> Labels, string Expression, string Description);

/// <summary>
/// The values alert rules compare, computed by the leading controller after each insight round and exported
/// the same way as PromQL, so a rule means the same in Tessera and in a Prometheus that scrapes it.
/// </summary>
public static class AlertMetrics
{
    public const string MemoryUsedRatio = "memory_used_ratio";
    public const string ServerUp = "server_up";
    public const string ReplicaLagSeconds = "replica_lag_seconds";
    public const string ReplicaLagBytes = "replica_lag_bytes";
    public const string HealthyReplicas = "healthy_replicas";
    public const string HealthScore = "health_score";
    public const string ErrorRatio = "error_ratio";
    public const string ThrottledPerSecond = "throttled_per_second";
    public const string MigrationStalledSeconds = "migration_stalled_seconds";
    public const string ProxyRoutesStale = "proxy_routes_stale";
    public const string CertificateExpiryDays = "certificate_expiry_days";

    private static readonly string[] ServerLabels = ["namespace", "group", "server"];
    private static readonly string[] ReplicaLabels = ["namespace", "group", "replica"];

    /// <summary>Every value by name, in the order the docs list them.</summary>
    public static IReadOnlyDictionary<string, AlertMetric> All { get; } = new[]
    {
        new AlertMetric(MemoryUsedRatio, ServerLabels, "tessera_controller_server_memory_used_bytes{0} / tessera_controller_server_memory_max_bytes{0}", "used_memory / maxmemory of each server (servers without maxmemory have no series)"),
        new AlertMetric(ServerUp, ServerLabels, "tessera_controller_server_up{0}", "1 while the server answers the leader's INFO, else 0"),
        new AlertMetric(ReplicaLagSeconds, ReplicaLabels, "tessera_controller_replica_lag_time_seconds{0}", "how far behind its master a replica is, in seconds"),
        new AlertMetric(ReplicaLagBytes, ReplicaLabels, "tessera_controller_replica_lag_bytes{0}", "how far behind its master a replica is, in bytes of replication stream"),
        new AlertMetric(HealthyReplicas, ["namespace", "group"], "tessera_controller_group_healthy_replicas{0}", "replicas of the group that are up and linked to its master"),
        new AlertMetric(HealthScore, ServerLabels, "tessera_controller_health_score{0}", "the server's health score, 0–100 (tessera health says why)"),
        new AlertMetric(ErrorRatio, ["namespace"], "sum by (namespace) (rate(tessera_proxy_command_errors_total{0}[1m])) / sum by (namespace) (rate(tessera_proxy_command_duration_seconds_count{0}[1m]))", "error replies / commands over every proxy"),
        new AlertMetric(ThrottledPerSecond, ["namespace"], "sum by (namespace) (rate(tessera_proxy_quota_waits_total{0}[1m]))", "times per second a session paused for its namespace's quota, over every proxy"),
        new AlertMetric(MigrationStalledSeconds, ["namespace"], "tessera_controller_migration_stalled_seconds{0}", "seconds a running (not paused) migration has moved no key and finished no slot"),
        new AlertMetric(ProxyRoutesStale, ["namespace", "proxy"], "tessera_controller_proxy_routes_stale{0}", "1 while a live proxy serves other routes than the store's for the namespace (or does not answer), else 0"),
        new AlertMetric(CertificateExpiryDays, ["namespace", "certificate"], "tessera_controller_certificate_expiry_seconds{0} / 86400", "days until a namespace's backend TLS certificate (ca or client) expires"),
    }.ToDictionary(static m => m.Name, StringComparer.Ordinal);
}
