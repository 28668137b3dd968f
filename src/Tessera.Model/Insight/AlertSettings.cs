namespace Tessera.Model.Insight;

/// <summary>
/// The alert rules and where firing and resolved alerts are posted, one document in the store
/// (<c>/tessera/alerts/settings</c>). Until an operator changes it, <see cref="Defaults"/> apply.
/// </summary>
public sealed record AlertSettings
{
    public IReadOnlyList<AlertRule> Rules { get; init; } = [];

    /// <summary>http(s) URLs that get a POST (Alertmanager's webhook JSON) when an alert fires or resolves.</summary>
    public IReadOnlyList<string> Webhooks { get; init; } = [];

    /// <summary>What a new cluster starts with: the conditions an operator would page or look at.</summary>
    public static AlertSettings Defaults { get; } = new()
    {
        Rules =
        [
            new AlertRule { Name = "server-down", Metric = AlertMetrics.ServerUp, Op = "<", Threshold = 1, ForSeconds = 30, Severity = "critical", Summary = "a redis-server does not answer" },
            new AlertRule { Name = "memory-high", Metric = AlertMetrics.MemoryUsedRatio, Op = ">=", Threshold = 0.9, ForSeconds = 300, Severity = "warning", Summary = "a server uses 90% or more of its maxmemory" },
            new AlertRule { Name = "replica-lag", Metric = AlertMetrics.ReplicaLagSeconds, Op = ">", Threshold = 10, ForSeconds = 60, Severity = "warning", Summary = "a replica is more than 10 s behind its master" },
            new AlertRule { Name = "no-healthy-replica", Metric = AlertMetrics.HealthyReplicas, Op = "<", Threshold = 1, ForSeconds = 60, Severity = "critical", Summary = "a group has no replica to fail over to" },
            new AlertRule { Name = "error-ratio", Metric = AlertMetrics.ErrorRatio, Op = ">", Threshold = 0.05, ForSeconds = 300, Severity = "warning", Summary = "more than 5% of a namespace's commands answer an error" },
            new AlertRule { Name = "throttled", Metric = AlertMetrics.ThrottledPerSecond, Op = ">", Threshold = 10, ForSeconds = 300, Severity = "info", Summary = "a namespace keeps running into its quota" },
            new AlertRule { Name = "migration-stalled", Metric = AlertMetrics.MigrationStalledSeconds, Op = ">", Threshold = 120, ForSeconds = 0, Severity = "warning", Summary = "a running migration has moved nothing for 2 minutes" },
            new AlertRule { Name = "proxy-routes-stale", Metric = AlertMetrics.ProxyRoutesStale, Op = ">=", Threshold = 1, ForSeconds = 60, Severity = "warning", Summary = "a proxy serves routes other than the store's" },
            new AlertRule { Name = "certificate-expiry", Metric = AlertMetrics.CertificateExpiryDays, Op = "<", Threshold = 14, ForSeconds = 0, Severity = "warning", Summary = "a backend TLS certificate expires within 14 days" },
        ],
    };

    /// <summary>What is wrong with the settings; empty when usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var rule in Rules)
        {
            problems.AddRange(rule.Problems().Select(p => $"rule '{rule.Name}': {p}"));
        }

        foreach (var name in Rules.GroupBy(static r => r.Name, StringComparer.Ordinal).Where(static g => g.Count() > 1).Select(static g => g.Key))
        {
            problems.Add($"two rules are named '{name}': rule names must be unique");
        }

        foreach (var hook in Webhooks)
        {
            if (!Uri.TryCreate(hook, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                problems.Add($"the webhook '{hook}' is not an http:// or https:// URL");
            }
        }

        return problems;
    }
}
