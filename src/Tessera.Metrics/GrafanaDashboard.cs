using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tessera.Metrics;

/// <summary>
/// A Grafana dashboard for the proxies' and controllers' metrics (<c>tessera alert export --format grafana</c>, and
/// <c>deploy/grafana/tessera.json</c>, the same output committed): traffic, latency, errors and throttling per
/// namespace, backends, replication, memory, health scores, migrations, failovers and alerts. The Prometheus data
/// source is an input (<c>${DS_PROMETHEUS}</c>), chosen on import; a namespace variable filters every panel.
/// </summary>
public static class GrafanaDashboard
{
    /// <summary>Each panel: title, unit, and the PromQL of its series with the legend of each.</summary>
    public static IReadOnlyList<(string Title, string Unit, IReadOnlyList<(string Expr, string Legend)> Targets)> Panels { get; } =
    [
        ("Commands per second", "ops", [("sum by (namespace) (rate(tessera_proxy_command_duration_seconds_count{namespace=~\"$namespace\"}[1m]))", "{{namespace}}")]),
        ("Proxy latency p99 (read to reply)", "s", [("histogram_quantile(0.99, sum by (namespace, le) (rate(tessera_proxy_command_duration_seconds_bucket{namespace=~\"$namespace\"}[1m])))", "{{namespace}} p99"),
            ("histogram_quantile(0.5, sum by (namespace, le) (rate(tessera_proxy_command_duration_seconds_bucket{namespace=~\"$namespace\"}[1m])))", "{{namespace}} p50")]),
        ("Error replies per second", "ops", [("sum by (namespace, kind) (rate(tessera_proxy_command_errors_total{namespace=~\"$namespace\"}[1m]))", "{{namespace}} {{kind}}")]),
        ("Throttled (quota waits) per second", "ops", [("sum by (namespace) (rate(tessera_proxy_quota_waits_total{namespace=~\"$namespace\"}[1m]))", "{{namespace}}")]),
        ("Client connections", "short", [("sum by (namespace) (tessera_proxy_client_connections{namespace=~\"$namespace\"})", "{{namespace}}")]),
        ("Bytes in / out per second", "Bps", [("sum by (namespace) (rate(tessera_proxy_received_bytes_total{namespace=~\"$namespace\"}[1m]))", "{{namespace}} in"),
            ("sum by (namespace) (rate(tessera_proxy_sent_bytes_total{namespace=~\"$namespace\"}[1m]))", "{{namespace}} out")]),
        ("Backend latency p99 by server", "s", [("histogram_quantile(0.99, sum by (server, le) (rate(tessera_proxy_backend_duration_seconds_bucket[1m])))", "{{server}}")]),
        ("Backends up (proxy's view)", "short", [("min by (server) (tessera_proxy_backend_up)", "{{server}}")]),
        ("Replica lag", "s", [("max by (namespace, group, replica) (tessera_controller_replica_lag_time_seconds{namespace=~\"$namespace\"})", "{{namespace}} g{{group}} {{replica}}")]),
        ("Memory used / maxmemory", "percentunit", [("max by (namespace, group, server) (tessera_controller_server_memory_used_bytes{namespace=~\"$namespace\"} / tessera_controller_server_memory_max_bytes{namespace=~\"$namespace\"})", "{{namespace}} g{{group}} {{server}}")]),
        ("Health score", "short", [("min by (namespace, group, server) (tessera_controller_health_score{namespace=~\"$namespace\"})", "{{namespace}} g{{group}} {{server}}")]),
        ("Migration keys per second and slots left", "short", [("sum by (namespace) (tessera_controller_migration_key_rate{namespace=~\"$namespace\"})", "{{namespace}} keys/s"),
            ("sum by (namespace) (tessera_controller_migration_slots_left{namespace=~\"$namespace\"})", "{{namespace}} slots left")]),
        ("Failovers (5 min)", "short", [("sum by (namespace) (increase(tessera_controller_failover_duration_seconds_count{namespace=~\"$namespace\"}[5m]))", "{{namespace}}")]),
        ("Alerts firing", "short", [("sum by (rule, severity) (tessera_controller_alerts_firing)", "{{rule}} ({{severity}})")]),
        ("Leader", "short", [("max by (instance) (tessera_controller_leader)", "{{instance}}")]),
    ];

    /// <summary>The dashboard as Grafana's import JSON (schema 39).</summary>
    public static string Write()
    {
        var panels = new JsonArray();
        for (var i = 0; i < Panels.Count; i++)
        {
            var (title, unit, targets) = Panels[i];
            var queries = new JsonArray();
            for (var t = 0; t < targets.Count; t++)
            {
                queries.Add(new JsonObject
                {
                    ["refId"] = ((char)('A' + t)).ToString(),
                    ["expr"] = targets[t].Expr,
                    ["legendFormat"] = targets[t].Legend,
                    ["datasource"] = DataSource(),
                });
            }

            panels.Add(new JsonObject
            {
                ["id"] = i + 1,
                ["type"] = "timeseries",
                ["title"] = title,
                ["datasource"] = DataSource(),
                ["gridPos"] = new JsonObject { ["h"] = 8, ["w"] = 12, ["x"] = i % 2 * 12, ["y"] = i / 2 * 8 },
                ["fieldConfig"] = new JsonObject { ["defaults"] = new JsonObject { ["unit"] = unit }, ["overrides"] = new JsonArray() },
                ["options"] = new JsonObject { ["legend"] = new JsonObject { ["displayMode"] = "list", ["placement"] = "bottom" } },
                ["targets"] = queries,
            });
        }

        var dashboard = new JsonObject
        {
            ["__inputs"] = new JsonArray(new JsonObject { ["name"] = "DS_PROMETHEUS", ["label"] = "Prometheus", ["type"] = "datasource", ["pluginId"] = "prometheus", ["pluginName"] = "Prometheus" }),
            ["title"] = "Tessera",
            ["uid"] = "tessera-overview",
            ["tags"] = new JsonArray("tessera", "redis"),
            ["timezone"] = "utc",
            ["schemaVersion"] = 39,
            ["refresh"] = "30s",
            ["time"] = new JsonObject { ["from"] = "now-1h", ["to"] = "now" },
            ["templating"] = new JsonObject
            {
                ["list"] = new JsonArray(new JsonObject
                {
                    ["name"] = "namespace",
                    ["label"] = "Namespace",
                    ["type"] = "query",
                    ["datasource"] = DataSource(),
                    ["query"] = "label_values(tessera_proxy_client_connections, namespace)",
                    ["includeAll"] = true,
                    ["multi"] = true,
                    ["allValue"] = ".*",
                    ["current"] = new JsonObject { ["text"] = "All", ["value"] = "$__all" },
                }),
            },
            ["panels"] = panels,
        };
        return dashboard.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private static JsonObject DataSource() => new() { ["type"] = "prometheus", ["uid"] = "${DS_PROMETHEUS}" };
}
