using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Insight;

namespace Tessera.Cli.Tests.Verbs.Admin;

/// <summary>`tessera alert`, `tessera health` and `tessera top` against a real controller (the leader's insight rounds).</summary>
public sealed class InsightVerbTests
{
    [Fact]
    public async Task Alert_rules_are_set_listed_exported_and_removed_and_health_and_top_answer()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl, insightInterval: TimeSpan.FromMilliseconds(200));
        var url = controller.Url.ToString();

        var rules = (await AdminCli.OkAsync("alert", "rules", "--controller", url)).Output;
        Assert.Contains("server-down         critical  server_up < 1 for 30 s", rules, StringComparison.Ordinal);
        Assert.Contains("Webhooks: none", rules, StringComparison.Ordinal);

        var set = await AdminCli.OkAsync("alert", "set", "shop-errors", "--metric", "error_ratio", "--op", ">", "--threshold", "0.01", "--for", "60", "--namespace", "shop", "--controller", url);
        Assert.Contains("Rule 'shop-errors' set: error_ratio > 0.01 for 60 s, namespace shop.", set.Output, StringComparison.Ordinal);
        var bad = await AdminCli.RunAsync("alert", "set", "x", "--metric", "cpu", "--op", ">", "--threshold", "1", "--controller", url);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("cpu", bad.Error, StringComparison.Ordinal);

        await AdminCli.OkAsync("alert", "webhook", "add", "https://hooks.example.com/T0/secret", "--controller", url);
        var json = JsonSerializer.Deserialize<AlertSettings>((await AdminCli.OkAsync("alert", "rules", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal(["https://hooks.example.com/…"], json.Webhooks);
        Assert.Contains(json.Rules, r => r is { Name: "shop-errors", Namespace: "shop", ForSeconds: 60 });

        var exported = (await AdminCli.OkAsync("alert", "export", "--format", "prometheus", "--controller", url)).Output;
        Assert.Contains("- alert: \"shop-errors\"", exported, StringComparison.Ordinal);
        Assert.Contains("rate(tessera_proxy_command_errors_total{namespace=\\\"shop\\\"}[1m])", exported, StringComparison.Ordinal);
        var grafana = (await AdminCli.OkAsync("alert", "export", "--format", "grafana")).Output;
        Assert.Equal("Tessera", JsonDocument.Parse(grafana).RootElement.GetProperty("title").GetString());

        Assert.Contains("Rule 'shop-errors' removed", (await AdminCli.OkAsync("alert", "remove", "shop-errors", "--controller", url)).Output, StringComparison.Ordinal);
        var missing = await AdminCli.RunAsync("alert", "remove", "shop-errors", "--controller", url);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("there is no alert rule 'shop-errors'", missing.Error, StringComparison.Ordinal);

        // An empty cluster: the rounds run, with nothing to score or rank yet.
        await Task.Delay(600);
        Assert.Contains("No alerts firing or pending", (await AdminCli.OkAsync("alert", "list", "--controller", url)).Output, StringComparison.Ordinal);
        Assert.Contains("NAMESPACE  GROUP  SCORE  WHY", (await AdminCli.OkAsync("health", "--controller", url)).Output, StringComparison.Ordinal);
        Assert.Contains("(no namespace has this figure yet)", (await AdminCli.OkAsync("top", "--controller", url)).Output, StringComparison.Ordinal);
    }
}
