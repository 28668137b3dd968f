using Tessera.Model.Insight;

namespace Tessera.Controller.Insight;

/// <summary>One series of an alert value (<see cref="AlertMetrics"/>) as of a round.</summary>
internal sealed record AlertSeriesValue(string Metric, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// Every alert value's series from one round, with the labels the exported metrics carry (so a rule means the same
/// here and as PromQL): servers by namespace, group and server; replicas by namespace, group and replica; rates per
/// namespace over the last two rounds.
/// </summary>
internal static class AlertSeries
{
    public static IReadOnlyList<AlertSeriesValue> From(InsightRound round, InsightRound? previous, HealthScoreReport scores)
    {
        var series = new List<AlertSeriesValue>();
        foreach (var s in round.Servers)
        {
            var labels = ServerLabels(s.Namespace, s.Group, s.Address);
            series.Add(new AlertSeriesValue(AlertMetrics.ServerUp, labels, s.Up ? 1 : 0));
            if (s.Up && s.MaxMemory > 0)
            {
                series.Add(new AlertSeriesValue(AlertMetrics.MemoryUsedRatio, labels, (double)s.UsedMemory / s.MaxMemory));
            }
        }

        foreach (var lag in round.Lags)
        {
            var labels = new Dictionary<string, string> { ["namespace"] = lag.Namespace, ["group"] = Group(lag.Group), ["replica"] = lag.Replica };
            if (lag.Seconds is { } seconds)
            {
                series.Add(new AlertSeriesValue(AlertMetrics.ReplicaLagSeconds, labels, seconds));
            }

            if (lag.Bytes is { } bytes)
            {
                series.Add(new AlertSeriesValue(AlertMetrics.ReplicaLagBytes, labels, bytes));
            }
        }

        foreach (var ns in round.Namespaces)
        {
            foreach (var group in ns.Groups)
            {
                var healthy = round.Servers.Count(s => s.Namespace == ns.Name && s.Group == group.Id && s.Role == "replica" && s.Up
                    && s.Observation is { Role: "replica", MasterLink: "up" });
                series.Add(new AlertSeriesValue(AlertMetrics.HealthyReplicas, new Dictionary<string, string> { ["namespace"] = ns.Name, ["group"] = Group(group.Id) }, healthy));
            }

            var commands = TopLists.Rate(ns.Name, round, previous, static c => c.Commands);
            var errors = TopLists.Rate(ns.Name, round, previous, static c => c.Errors);
            var waits = TopLists.Rate(ns.Name, round, previous, static c => c.QuotaWaits);
            var nsLabels = new Dictionary<string, string> { ["namespace"] = ns.Name };
            if (commands is > 0 && errors is { } e)
            {
                series.Add(new AlertSeriesValue(AlertMetrics.ErrorRatio, nsLabels, e / commands.Value));
            }

            if (waits is { } w)
            {
                series.Add(new AlertSeriesValue(AlertMetrics.ThrottledPerSecond, nsLabels, w));
            }

            if (round.MigrationStalls.TryGetValue(ns.Name, out var stalled))
            {
                series.Add(new AlertSeriesValue(AlertMetrics.MigrationStalledSeconds, nsLabels, stalled));
            }
        }

        foreach (var score in scores.Groups.SelectMany(static g => g.Servers))
        {
            series.Add(new AlertSeriesValue(AlertMetrics.HealthScore, ServerLabels(score.Namespace, score.Group, score.Server), score.Score));
        }

        foreach (var (ns, proxy, stale) in round.Routes)
        {
            series.Add(new AlertSeriesValue(AlertMetrics.ProxyRoutesStale, new Dictionary<string, string> { ["namespace"] = ns, ["proxy"] = proxy }, stale ? 1 : 0));
        }

        foreach (var (ns, which, notAfter) in round.Certificates)
        {
            series.Add(new AlertSeriesValue(AlertMetrics.CertificateExpiryDays, new Dictionary<string, string> { ["namespace"] = ns, ["certificate"] = which }, (notAfter - round.Time).TotalDays));
        }

        return series;
    }

    private static Dictionary<string, string> ServerLabels(string ns, int group, string server) =>
        new() { ["namespace"] = ns, ["group"] = Group(group), ["server"] = server };

    private static string Group(int group) => group.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
