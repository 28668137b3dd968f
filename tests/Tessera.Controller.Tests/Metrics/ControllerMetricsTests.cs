using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tessera.Controller.Events;
using Tessera.Controller.Health;
using Tessera.Controller.Migration;
using Tessera.Controller.Tests.Failover;
using Tessera.Model.Api;
using Tessera.Resp.Client;
using Tessera.Resp.Keys;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Metrics;

/// <summary>
/// The controller's /metrics (architecture §12) after real work on real processes — a migration that moves keys
/// and a failover after a master is killed: leadership, probes by result, pushes acked, the migration and its keys
/// and bytes, the failover's duration and the events by kind; a viewer token required; the text clean for promtool.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class ControllerMetricsTests
{
    private readonly ITestOutputHelper _log;

    public ControllerMetricsTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task Metrics_count_probes_pushes_a_migration_and_a_failover_and_pass_promtool()
    {
        var health = new HealthOptions { DownAfter = TimeSpan.FromMilliseconds(1000), ProbeInterval = TimeSpan.FromMilliseconds(200) };
        await using var cluster = await FailoverCluster.StartAsync(new FailoverClusterOptions { Groups = 2, ReplicasPerGroup = 1, Proxy = true, Health = health }, _log);
        var leader = await cluster.LeaderAsync(TimeSpan.FromSeconds(20));
        var client = cluster.Client(leader);

        // 40 keys in one slot of group 1, then that slot moves to group 2.
        var tag = WriteLoad.TagFor(0, 511);
        int slot = KeySlot.Of(Encoding.ASCII.GetBytes(tag));
        await using (var redis = await RespClient.ConnectAsync("127.0.0.1", cluster.ProxyPort, TimeSpan.FromSeconds(5)))
        {
            for (int i = 0; i < 40; i++)
            {
                Assert.True((await redis.CallAsync("SET", $"{{{tag}}}:k{i}", "value-" + i)).IsOk);
            }
        }

        var viewer = await client.CreateTokenAsync("scraper", "viewer");
        using var http = new HttpClient { BaseAddress = leader.Url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewer.Token);

        // Throttled to 10 keys/s, so the scrape sees it running: one slot left until its keys have moved.
        var migration = await client.StartMigrationAsync(FailoverCluster.Namespace, slot, slot, 2, new MigrationSettings { KeysPerSecond = 10, BatchKeys = 2 });
        await Eventually.TrueAsync(
            async () => ProxyMetricsTests.Value(await http.GetStringAsync(ControllerRoutes.Metrics), "tessera_controller_migration_slots_left", ("namespace", FailoverCluster.Namespace)) == 1,
            TimeSpan.FromSeconds(20),
            "the scrape to show the running migration's slot left");
        await Eventually.TrueAsync(
            async () => (await client.GetMigrationAsync(FailoverCluster.Namespace, migration.Id)).State == MigrationState.Done,
            TimeSpan.FromSeconds(60),
            "the migration of slot " + slot + " to group 2 to finish");

        // A failover: group 1's master killed by its PID.
        var victim = cluster.Groups[1][0];
        victim.Kill();
        await Eventually.TrueAsync(
            async () => (await cluster.EventsAsync()).Any(static e => e.Kind == EventKinds.Promoted),
            TimeSpan.FromSeconds(30),
            "the replica of group 1 to be promoted");

        using var anonymous = new HttpClient { BaseAddress = leader.Url, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ControllerRoutes.Metrics)).StatusCode);

        string text = "";

        // The probes of the dead master keep failing while the failover settles: wait until the scrape shows both.
        await Eventually.TrueAsync(
            async () =>
            {
                text = await http.GetStringAsync(ControllerRoutes.Metrics);
                return ProxyMetricsTests.Value(text, "tessera_controller_probe_duration_seconds_count", ("result", "failed")) >= 1
                    && ProxyMetricsTests.Value(text, "tessera_controller_failover_duration_seconds_count", ("namespace", FailoverCluster.Namespace)) >= 1;
            },
            TimeSpan.FromSeconds(20),
            "the scrape to show the failed probes and the failover");
        _log.WriteLine(string.Join('\n', text.Split('\n').Where(static l => l.StartsWith("tessera_controller", StringComparison.Ordinal) && !l.Contains("_bucket", StringComparison.Ordinal))));

        Assert.Equal(1, ProxyMetricsTests.Value(text, "tessera_controller_leader"));
        Assert.True(ProxyMetricsTests.Value(text, "tessera_controller_probe_duration_seconds_count", ("result", "ok")) >= 10, "every server is probed five times a second");
        Assert.True(ProxyMetricsTests.Value(text, "tessera_controller_push_duration_seconds_count", ("outcome", "acked")) >= 3, "the migration's and the failover's pushes reached the proxy");
        Assert.Equal(1, ProxyMetricsTests.Value(text, "tessera_controller_migrations_total", ("namespace", FailoverCluster.Namespace), ("outcome", "done")));
        Assert.Equal(40, ProxyMetricsTests.Value(text, "tessera_controller_migration_keys_total", ("namespace", FailoverCluster.Namespace)));
        Assert.True(ProxyMetricsTests.Value(text, "tessera_controller_migration_bytes_total", ("namespace", FailoverCluster.Namespace)) > 40 * "value-0".Length, "the DUMP payloads' bytes");
        Assert.Equal(1, ProxyMetricsTests.Value(text, "tessera_controller_failover_duration_seconds_count", ("namespace", FailoverCluster.Namespace)));
        double took = ProxyMetricsTests.Value(text, "tessera_controller_failover_duration_seconds_sum", ("namespace", FailoverCluster.Namespace));
        Assert.True(took is > 0 and < 30, $"the failover took {took} s");
        Assert.Equal(1, ProxyMetricsTests.Value(text, "tessera_controller_events_total", ("kind", EventKinds.Promoted)));
        Assert.Equal(-1, ProxyMetricsTests.Value(text, "tessera_controller_migration_slots_left"));

        // Group 2's replica follows its master: its lag is measured, in bytes and in time, and it may serve reads.
        var replica2 = cluster.Groups[2][1].Endpoint;
        Assert.Equal(1, ProxyMetricsTests.Value(text, "tessera_controller_replica_fresh", ("group", "2"), ("replica", replica2)));
        double lagBytes = ProxyMetricsTests.Value(text, "tessera_controller_replica_lag_bytes", ("group", "2"), ("replica", replica2));
        double lagSeconds = ProxyMetricsTests.Value(text, "tessera_controller_replica_lag_time_seconds", ("group", "2"), ("replica", replica2));
        Assert.True(lagBytes is >= 0 and < 1_000_000, $"lag {lagBytes} bytes");
        Assert.True(lagSeconds is >= 0 and < 5, $"lag {lagSeconds} s");
        Assert.True(ProxyMetricsTests.Value(text, "tessera_controller_events_total", ("kind", EventKinds.ObjectivelyDown)) >= 1, "the dead master was agreed down");
        Assert.Contains("# TYPE tessera_controller_failover_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal);

        var (code, output) = await ProxyMetricsTests.PromtoolAsync(["check", "metrics"], text);
        Assert.True(code == 0, $"promtool check metrics: exit {code}\n{output}");

        // The proxy counted the 40 SETs of a connection that never sent AUTH (the open namespace), its first one too.
        using var proxy = new HttpClient { BaseAddress = new Uri(cluster.ProxyAdmin), Timeout = TimeSpan.FromSeconds(10) };
        proxy.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewer.Token);
        var proxyText = await proxy.GetStringAsync(ProxyAdminRoutes.Metrics);
        Assert.Equal(40, ProxyMetricsTests.Value(proxyText, "tessera_proxy_command_duration_seconds_count", ("namespace", FailoverCluster.Namespace), ("command", "set")));

        // The insight gauges: each group's master, servers up, health scores (the killed master is gone from the
        // topology; its replica now leads group 1).
        var master1 = (await cluster.GroupAsync(1)).Master;
        await Eventually.TrueAsync(
            async () => ProxyMetricsTests.Value(text = await http.GetStringAsync(ControllerRoutes.Metrics), "tessera_controller_group_master", ("group", "1"), ("server", master1)) == 1,
            TimeSpan.FromSeconds(20),
            "the insight round to report group 1's new master");
        Assert.Equal(1, ProxyMetricsTests.Value(text, "tessera_controller_server_up", ("group", "2"), ("server", replica2)));
        Assert.True(ProxyMetricsTests.Value(text, "tessera_controller_health_score", ("group", "2"), ("server", replica2)) > 0);

        // Every metric the Grafana dashboard and the alert rules query is one the proxy or the controller exports
        // (those that exist only while something happens — a migration stalled, an alert firing, TLS — excepted).
        string[] onlyWhileHappening = ["tessera_controller_migration_stalled_seconds", "tessera_controller_alerts_firing", "tessera_controller_certificate_expiry_seconds", "tessera_controller_migration_key_rate", "tessera_controller_migration_slots_left", "tessera_controller_server_memory_max_bytes", "tessera_proxy_command_errors_total"];
        var exported = System.Text.RegularExpressions.Regex.Matches(text + proxyText, "^(tessera_[a-z_]+)", System.Text.RegularExpressions.RegexOptions.Multiline).Select(static m => m.Groups[1].Value).ToHashSet();
        var queried = Tessera.Metrics.GrafanaDashboard.Panels.SelectMany(static p => p.Targets).Select(static t => t.Expr)
            .Concat(Tessera.Model.Insight.AlertMetrics.All.Values.Select(static m => m.Expression))
            .SelectMany(static e => System.Text.RegularExpressions.Regex.Matches(e, "tessera_[a-z_]+").Select(static m => m.Value))
            .ToHashSet();
        var missing = queried.Where(q => !exported.Contains(q) && !onlyWhileHappening.Contains(q)).Order().ToList();
        Assert.True(missing.Count == 0, "queried but not exported: " + string.Join(", ", missing));
    }
}
