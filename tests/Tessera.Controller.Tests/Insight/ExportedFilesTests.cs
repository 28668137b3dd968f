using Tessera.Controller.Alerts;
using Tessera.Controller.Tests.Metrics;
using Tessera.Metrics;
using Tessera.Model.Insight;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Insight;

/// <summary>
/// The files under deploy/ are what <c>tessera alert export</c> prints for a new cluster (the default rules, the
/// dashboard), kept in step with the code; the rule file passes Debian's promtool. Regenerate with
/// <c>TESSERA_WRITE_DEPLOY=1</c> set when running this test.
/// </summary>
public sealed class ExportedFilesTests
{
    [Fact]
    public async Task Deploy_files_match_the_export_and_the_rules_pass_promtool()
    {
        var root = FolderGraph.RepositoryRoot();
        var rules = Path.Combine(root, "deploy", "prometheus", "tessera-rules.yml");
        var dashboard = Path.Combine(root, "deploy", "grafana", "tessera.json");
        if (Environment.GetEnvironmentVariable("TESSERA_WRITE_DEPLOY") == "1")
        {
            await File.WriteAllTextAsync(rules, PrometheusRuleFile.Write(AlertSettings.Defaults));
            await File.WriteAllTextAsync(dashboard, GrafanaDashboard.Write());
        }

        Assert.Equal(PrometheusRuleFile.Write(AlertSettings.Defaults), await File.ReadAllTextAsync(rules));
        Assert.Equal(GrafanaDashboard.Write(), await File.ReadAllTextAsync(dashboard));

        var (code, output) = await ProxyMetricsTests.PromtoolAsync(["check", "rules", rules], "");
        Assert.True(code == 0, $"promtool check rules: exit {code}\n{output}");
        Assert.Contains($"SUCCESS: {AlertSettings.Defaults.Rules.Count} rules found", output, StringComparison.Ordinal);
        Assert.Contains("\"uid\": \"tessera-overview\"", await File.ReadAllTextAsync(dashboard), StringComparison.Ordinal);
    }
}
