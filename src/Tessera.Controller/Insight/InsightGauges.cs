using System.Diagnostics.Metrics;
using Tessera.Model.Insight;

namespace Tessera.Controller.Insight;

/// <summary>One round as the controller's insight gauges (<see cref="Metrics.ControllerMetrics.InsightNames"/>), with the same labels as the alert series.</summary>
internal static class InsightGauges
{
    public static IReadOnlyDictionary<string, IReadOnlyList<Measurement<double>>> From(InsightRound round, IReadOnlyList<AlertSeriesValue> series)
    {
        var gauges = new Dictionary<string, IReadOnlyList<Measurement<double>>>(StringComparer.Ordinal)
        {
            ["tessera.controller.server.up"] = Of(series, AlertMetrics.ServerUp),
            ["tessera.controller.group.healthy_replicas"] = Of(series, AlertMetrics.HealthyReplicas),
            ["tessera.controller.health.score"] = Of(series, AlertMetrics.HealthScore),
            ["tessera.controller.migration.stalled"] = Of(series, AlertMetrics.MigrationStalledSeconds),
            ["tessera.controller.proxy.routes_stale"] = Of(series, AlertMetrics.ProxyRoutesStale),
            ["tessera.controller.server.memory.used"] = [.. round.Servers.Where(static s => s.Up).Select(static s => Measure(s.UsedMemory, s))],
            ["tessera.controller.server.memory.max"] = [.. round.Servers.Where(static s => s.Up && s.MaxMemory > 0).Select(static s => Measure(s.MaxMemory, s))],
            ["tessera.controller.certificate.expiry"] = [.. round.Certificates.Select(c => new Measurement<double>(
                (c.NotAfter - round.Time).TotalSeconds, new KeyValuePair<string, object?>("namespace", c.Namespace), new KeyValuePair<string, object?>("certificate", c.Certificate)))],
            ["tessera.controller.group.master"] = [.. round.Namespaces.SelectMany(static ns => ns.Groups.Where(static g => g.Master.Length > 0).Select(g => new Measurement<double>(1,
                new KeyValuePair<string, object?>("namespace", ns.Name), new KeyValuePair<string, object?>("group", g.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new KeyValuePair<string, object?>("server", g.Master))))],
        };
        return gauges;
    }

    private static Measurement<double> Measure(long value, ServerFigures s) => new(
        value,
        new KeyValuePair<string, object?>("namespace", s.Namespace),
        new KeyValuePair<string, object?>("group", s.Group.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new KeyValuePair<string, object?>("server", s.Address));

    private static List<Measurement<double>> Of(IReadOnlyList<AlertSeriesValue> series, string metric) =>
        [.. series.Where(s => s.Metric == metric).Select(static s => new Measurement<double>(s.Value, [.. s.Labels.Select(static l => new KeyValuePair<string, object?>(l.Key, l.Value))]))];
}
