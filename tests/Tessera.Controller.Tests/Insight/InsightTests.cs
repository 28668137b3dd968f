using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Tessera.Controller.Api;
using Tessera.Controller.Events;
using Tessera.Controller.Tests.Metrics;
using Tessera.Controller.Tests.Tenants;
using Tessera.Local.Networking;
using Tessera.Model.Api;
using Tessera.Model.Insight;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Insight;

/// <summary>
/// The leader's insight rounds on real processes (architecture §12): two namespaces on their own redis-servers behind a
/// proxy, one busy and missing, one growing and hitting; the top lists rank them that way, the health scores say why
/// a group without replicas is not 100, and an alert rule on one namespace's memory fires and resolves, with its
/// events and webhook calls received by a real HTTP listener; the rules export clean for promtool.
/// </summary>
public sealed class InsightTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);
    private readonly ITestOutputHelper _log;

    public InsightTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task Top_lists_rank_namespaces_health_scores_give_reasons_and_an_alert_fires_and_resolves_with_webhooks()
    {
        await using var cluster = await TenantCluster.StartAsync(insightInterval: Interval, serverArgs: ["--maxmemory", "64mb"]);
        var api = cluster.Client;
        using var hooks = new WebhookReceiver();

        // The first round precedes the load, so the window's growth counts all of it.
        await Eventually.TrueAsync(async () => (await api.GetTopAsync()).SampledAt is not null, TimeSpan.FromSeconds(10), "the leader's first insight round");

        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));
        for (var i = 0; i < 300; i++)
        {
            Assert.True((await alpha.CallAsync("GET", $"missing:{i}")).IsNull);
        }

        for (var i = 0; i < 50; i++)
        {
            Assert.True((await beta.CallAsync("SET", $"key:{i}", "v")).IsOk);
            Assert.Equal("v", (await beta.CallAsync("GET", $"key:{i}")).AsString());
        }

        TopReport top = new();
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    top = await api.GetTopAsync();
                    return top.ByGrowth is [{ Namespace: TenantCluster.Beta, KeysGained: 50 }, ..] && top.ByLowestHitRate.Count == 2;
                },
                TimeSpan.FromSeconds(15),
                "beta's 50 new keys to top the growth list");
        }
        finally
        {
            _log.WriteLine(JsonSerializer.Serialize(top, TesseraJson.Indented));
        }

        Assert.Equal(TenantCluster.Alpha, top.ByLowestHitRate[0].Namespace);
        Assert.Equal(0, top.ByLowestHitRate[0].HitRate);
        Assert.Equal(1, top.ByLowestHitRate[1].HitRate);
        Assert.Equal(2, top.ByLowestMemoryUtilisation.Count);
        Assert.All(top.ByLowestMemoryUtilisation, f => Assert.InRange(f.MemoryUtilisation!.Value, 0.001, 0.5));
        Assert.Equal(50, top.ByLowestHitRate.Single(f => f.Namespace == TenantCluster.Beta).Keys);

        // Ops/s is a rate between two rounds: a burst on alpha puts it first.
        var burst = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await alpha.CallAsync("PING");
            }
        });
        await Eventually.TrueAsync(async () => (await api.GetTopAsync()).ByOps is [{ Namespace: TenantCluster.Alpha, OpsPerSecond: > 10 }, ..], TimeSpan.FromSeconds(15), "alpha's burst to top the ops list");
        await burst;

        // No replicas: each group loses 30 for having nothing to fail over to, and says so. (A server's own score
        // may lose 10 for a slow PING on a loaded test machine: the reasons say so.)
        var scores = await api.GetHealthScoresAsync();
        _log.WriteLine(JsonSerializer.Serialize(scores, TesseraJson.Indented));
        Assert.Equal(2, scores.Groups.Count);
        Assert.All(scores.Groups, g =>
        {
            var master = Assert.Single(g.Servers);
            Assert.Equal(Math.Max(0, master.Score - 30), g.Score);
            Assert.Contains("no replica to fail over to (-30)", g.Reasons);
            Assert.True(master.Score == 100 || master.Reasons.All(static r => r.StartsWith("PING took", StringComparison.Ordinal)), string.Join("; ", master.Reasons));
        });

        // An alert on alpha's memory: webhook and rule set through the API, the rule file clean for promtool.
        await api.ChangeAlertWebhookAsync(hooks.Url, remove: false);
        var settings = await api.SetAlertRuleAsync(new AlertRule
        {
            Name = "alpha-memory", Metric = AlertMetrics.MemoryUsedRatio, Op = ">", Threshold = 0.1, ForSeconds = 1, Namespace = TenantCluster.Alpha, Severity = "critical", Summary = "alpha is filling up",
        });
        Assert.Equal($"http://127.0.0.1:{hooks.Port}/…", Assert.Single(settings.Webhooks));
        await AssertRuleFilePassesPromtoolAsync(cluster);

        var value = new string('x', 100_000);
        for (var i = 0; i < 100; i++)
        {
            Assert.True((await alpha.CallAsync("SET", $"big:{i}", value)).IsOk);
        }

        var firing = await hooks.WaitForAsync("firing", "alpha-memory", TimeSpan.FromSeconds(20));
        Assert.Equal("tessera", firing.GetProperty("receiver").GetString());
        var alert = firing.GetProperty("alerts")[0];
        Assert.Equal(TenantCluster.Alpha, alert.GetProperty("labels").GetProperty("namespace").GetString());
        Assert.Equal("critical", alert.GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal(cluster.Redis[0].Endpoint, alert.GetProperty("labels").GetProperty("server").GetString());
        Assert.Equal("alpha is filling up", alert.GetProperty("annotations").GetProperty("summary").GetString());
        var active = await api.ListAlertsAsync();
        var listed = Assert.Single(active.Alerts, a => a.Rule == "alpha-memory");
        Assert.True(listed.Firing);
        // The default rules apply too: neither group has a replica, pending for the rule's 60 s.
        Assert.Contains(active.Alerts, a => a.Rule == "no-healthy-replica" && a.Labels["namespace"] == TenantCluster.Beta && !a.Firing);
        Assert.Contains(await api.ListEventsAsync(), e => e.Kind == EventKinds.AlertFiring && e.Namespace == TenantCluster.Alpha);
        await AssertFiringGaugeAsync(cluster, 1);

        for (var i = 0; i < 100; i++)
        {
            await alpha.CallAsync("DEL", $"big:{i}");
        }

        var resolved = await hooks.WaitForAsync("resolved", "alpha-memory", TimeSpan.FromSeconds(20));
        Assert.NotEqual("0001-01-01T00:00:00+00:00", resolved.GetProperty("alerts")[0].GetProperty("endsAt").GetString());
        Assert.DoesNotContain((await api.ListAlertsAsync()).Alerts, a => a.Rule == "alpha-memory");
        Assert.Contains(await api.ListEventsAsync(), e => e.Kind == EventKinds.AlertResolved && e.Namespace == TenantCluster.Alpha);
        Assert.Equal(1, hooks.Count("firing", "alpha-memory"));
        await AssertFiringGaugeAsync(cluster, 0);

        // A bad rule is refused with what to fix, and changes nothing.
        var refused = await Assert.ThrowsAsync<ControllerApiException>(() => api.SetAlertRuleAsync(new AlertRule { Name = "bad", Metric = "cpu", Op = "~", Threshold = 1 }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("unknown metric 'cpu': use one of memory_used_ratio", refused.Message, StringComparison.Ordinal);
        Assert.Contains("unknown comparison '~'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await api.GetAlertSettingsAsync()).Rules, r => r.Name == "bad");
    }

    private static async Task AssertFiringGaugeAsync(TenantCluster cluster, int expected)
    {
        using var http = new HttpClient { BaseAddress = cluster.Controller.Url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.ForController(cluster.Controller.Url.ToString()));
        var text = await http.GetStringAsync(ControllerRoutes.Metrics);
        Assert.Equal(expected == 0 ? -1 : expected, ProxyMetricsTests.Value(text, "tessera_controller_alerts_firing", ("rule", "alpha-memory")));
    }

    private static async Task AssertRuleFilePassesPromtoolAsync(TenantCluster cluster)
    {
        using var http = new HttpClient { BaseAddress = cluster.Controller.Url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.ForController(cluster.Controller.Url.ToString()));
        var yaml = await http.GetStringAsync(ControllerRoutes.AlertRuleFile);
        Assert.Contains("- alert: \"alpha-memory\"", yaml, StringComparison.Ordinal);
        Assert.Contains("""tessera_controller_server_memory_used_bytes{namespace=\"alpha\"}""", yaml, StringComparison.Ordinal);
        var file = Path.Combine(cluster.Directory.Path, "rules.yml");
        await File.WriteAllTextAsync(file, yaml);
        var (code, output) = await ProxyMetricsTests.PromtoolAsync(["check", "rules", file], "");
        Assert.True(code == 0, $"promtool check rules: exit {code}\n{output}\n{yaml}");
        Assert.Contains($"SUCCESS: {AlertSettings.Defaults.Rules.Count + 1} rules found", output, StringComparison.Ordinal);
    }

    /// <summary>An HTTP listener on a free loopback port that keeps every JSON body posted to it.</summary>
    private sealed class WebhookReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<JsonElement> _bodies = new();
        private readonly CancellationTokenSource _stop = new();

        public WebhookReceiver()
        {
            Port = FreePort.Find();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public int Port { get; }

        public string Url => $"http://127.0.0.1:{Port}/hooks/secret-token";

        public int Count(string status, string rule) => _bodies.Count(b => Is(b, status, rule));

        public async Task<JsonElement> WaitForAsync(string status, string rule, TimeSpan timeout)
        {
            JsonElement found = default;
            await Eventually.TrueAsync(
                () =>
                {
                    found = _bodies.FirstOrDefault(b => Is(b, status, rule));
                    return Task.FromResult(found.ValueKind == JsonValueKind.Object);
                },
                timeout,
                $"a '{status}' webhook call for rule {rule}");
            return found;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Close();
            _stop.Dispose();
        }

        private static bool Is(JsonElement body, string status, string rule) =>
            body.GetProperty("status").GetString() == status && body.GetProperty("commonLabels").GetProperty("alertname").GetString() == rule;

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    _bodies.Enqueue(JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone());
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }
    }
}
