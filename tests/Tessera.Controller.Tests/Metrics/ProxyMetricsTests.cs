using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Controller.Tests.Tenants;
using Tessera.Local.Networking;
using Tessera.Model.Api;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Metrics;

/// <summary>
/// The proxy's /metrics (architecture §12) on real processes: per-namespace command counts and latencies, errors by
/// kind, a viewer token required, the text clean for Debian's promtool, and Debian's prometheus scraping it and
/// answering a per-namespace rate query.
/// </summary>
public sealed partial class ProxyMetricsTests
{
    [Fact]
    public async Task Metrics_count_commands_per_namespace_and_command_need_a_token_and_pass_promtool()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));
        for (int i = 0; i < 30; i++)
        {
            Assert.True((await alpha.CallAsync("SET", "k" + i, "v")).IsOk);
        }

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("v", (await alpha.CallAsync("GET", "k" + i)).AsString());
            Assert.True((await beta.CallAsync("SET", "k" + i, "w")).IsOk);
        }

        Assert.StartsWith("WRONGTYPE", (await alpha.CallAsync("LPUSH", "k0", "x")).AsString(), StringComparison.Ordinal);

        var admin = cluster.Proxies[0].AdminUrl!;
        using var anonymous = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(ProxyAdminRoutes.Metrics)).StatusCode);

        var viewer = await cluster.Client.CreateTokenAsync("scraper", "viewer");
        using var http = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", viewer.Token);
        var text = await http.GetStringAsync(ProxyAdminRoutes.Metrics);

        Assert.Equal(30, Value(text, "tessera_proxy_command_duration_seconds_count", ("namespace", "alpha"), ("command", "set")));
        Assert.Equal(10, Value(text, "tessera_proxy_command_duration_seconds_count", ("namespace", "alpha"), ("command", "get")));
        Assert.Equal(10, Value(text, "tessera_proxy_command_duration_seconds_count", ("namespace", "beta"), ("command", "set")));
        Assert.Equal(1, Value(text, "tessera_proxy_command_errors_total", ("namespace", "alpha"), ("command", "lpush"), ("kind", "WRONGTYPE")));
        Assert.Equal(1, Value(text, "tessera_proxy_client_connections", ("namespace", "beta")));

        // Traffic per namespace: alpha sent 30 SETs of at least 28 bytes ("*3\r\n$3\r\nSET\r\n$2\r\nk0\r\n$1\r\nv\r\n") and
        // got "+OK\r\n" for each; a reply is charged at the session's next read, so the last one may not be in yet.
        Assert.True(Value(text, "tessera_proxy_received_bytes_total", ("namespace", "alpha")) >= 30 * 28, "alpha's command bytes");
        Assert.True(Value(text, "tessera_proxy_sent_bytes_total", ("namespace", "alpha")) >= 29 * 5, "alpha's reply bytes");
        Assert.True(Value(text, "tessera_proxy_received_bytes_total", ("namespace", "beta")) is >= 10 * 28 and < 30 * 28, "beta's command bytes, fewer than alpha's");
        Assert.True(Value(text, "tessera_proxy_backend_duration_seconds_count", ("server", cluster.Redis[0].Endpoint)) >= 41, "alpha's server answered every command of alpha");
        Assert.Equal(1, Value(text, "tessera_proxy_backend_up", ("server", cluster.Redis[1].Endpoint)));
        Assert.Contains("# TYPE tessera_proxy_command_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Matches(GcMetric(), text);

        // OpenMetrics when asked.
        using var openMetrics = new HttpRequestMessage(HttpMethod.Get, ProxyAdminRoutes.Metrics);
        openMetrics.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        var om = await http.SendAsync(openMetrics);
        Assert.StartsWith("application/openmetrics-text", om.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.EndsWith("# EOF\n", await om.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (code, output) = await PromtoolAsync(["check", "metrics"], text);
        Assert.True(code == 0, $"promtool check metrics: exit {code}\n{output}");
    }

    [Fact]
    public async Task Prometheus_scrapes_a_proxy_and_the_controller_with_a_viewer_token_and_answers_per_namespace_rates()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));
        var viewer = await cluster.Client.CreateTokenAsync("prometheus", "viewer");
        var tokenFile = Path.Combine(cluster.Directory.Path, "scrape.token");
        await File.WriteAllTextAsync(tokenFile, viewer.Token);
        int port = FreePort.Find();
        var config = Path.Combine(cluster.Directory.Path, "prometheus.yml");
        var admin = cluster.Proxies[0].AdminUrl!;
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: tessera-proxy
                authorization:
                  type: Bearer
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ['{admin.Host}:{admin.Port}']
              - job_name: tessera-controller
                authorization:
                  type: Bearer
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ['{cluster.Controller.Url.Host}:{cluster.Controller.Url.Port}']
            """);
        using var prometheus = StartPrometheus(config, port, Path.Combine(cluster.Directory.Path, "tsdb"));
        try
        {
            // Load over a few scrapes, then a rate per namespace.
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var clock = Stopwatch.StartNew();
            var answer = new Dictionary<string, double>();
            while (clock.Elapsed < TimeSpan.FromSeconds(40))
            {
                for (int i = 0; i < 20; i++)
                {
                    await alpha.CallAsync("SET", "a" + i, "1");
                    await alpha.CallAsync("GET", "a" + i);
                    await beta.CallAsync("GET", "b" + i);
                }

                answer = await QueryAsync(api, "sum by (namespace) (rate(tessera_proxy_command_duration_seconds_count[5s]))");
                if (answer.GetValueOrDefault("alpha") > 0 && answer.GetValueOrDefault("beta") > 0)
                {
                    break;
                }

                await Task.Delay(250);
            }

            Assert.True(answer.GetValueOrDefault("alpha") > 0 && answer.GetValueOrDefault("beta") > 0, $"prometheus answered {JsonSerializer.Serialize(answer)}");
            var up = await QueryAsync(api, "up", "job");
            Assert.Equal(1, up.GetValueOrDefault("tessera-proxy"));

            // The controller's port too: its probes of the servers, as a rate.
            var probes = new Dictionary<string, double>();
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                probes = await QueryAsync(api, "sum by (job) (rate(tessera_controller_probe_duration_seconds_count{result=\"ok\"}[5s]))", "job");
                if (probes.GetValueOrDefault("tessera-controller") > 0)
                {
                    break;
                }

                await Task.Delay(250);
            }

            Assert.True(probes.GetValueOrDefault("tessera-controller") > 0, $"prometheus answered {JsonSerializer.Serialize(probes)}");
            Assert.Equal(1, (await QueryAsync(api, "up", "job")).GetValueOrDefault("tessera-controller"));
            Assert.Equal(1, (await QueryAsync(api, "tessera_controller_leader", "job")).GetValueOrDefault("tessera-controller"));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>The value of the series <paramref name="name"/> carrying all of <paramref name="labels"/>, or -1 when there is none.</summary>
    internal static double Value(string text, string name, params (string Label, string Value)[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                continue;
            }

            if (labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                var value = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
                return double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    internal static async Task<(int Code, string Output)> PromtoolAsync(string[] args, string stdin)
    {
        var start = new ProcessStartInfo("promtool") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await output + await error);
    }

    internal static Process StartPrometheus(string config, int port, string storage)
    {
        var start = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--storage.tsdb.path=" + storage })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>An instant query's answer: the value of each series by the label <paramref name="by"/>.</summary>
    internal static async Task<Dictionary<string, double>> QueryAsync(HttpClient api, string query, string by = "namespace")
    {
        var answer = new Dictionary<string, double>();
        try
        {
            using var doc = JsonDocument.Parse(await api.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query)));
            foreach (var series in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
            {
                if (series.GetProperty("metric").TryGetProperty(by, out var label))
                {
                    answer[label.GetString()!] = double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }

        return answer;
    }

    [GeneratedRegex(@"\ndotnet_gc_collections_total|\nprocess_runtime_dotnet_gc_collections_count|\ndotnet_gc_", RegexOptions.CultureInvariant)]
    private static partial Regex GcMetric();
}
