using System.Globalization;
using System.Text;
using System.Text.Json;
using Tessera.Model.Insight;

namespace Tessera.Controller.Alerts;

/// <summary>
/// The alert rules as a Prometheus rule file (<c>tessera alert export --prometheus</c>, GET /api/alerts/rules.yml):
/// each rule's value as the PromQL of <see cref="AlertMetrics"/>, its namespace/group as label matchers, its
/// duration as <c>for</c>. Written by hand rather than with a YAML library: the file is a fixed shape whose strings
/// are emitted as JSON strings, which YAML reads as double-quoted scalars.
/// </summary>
public static class PrometheusRuleFile
{
    public static string Write(AlertSettings settings)
    {
        var yaml = new StringBuilder();
        yaml.Append("# Tessera's alert rules (tessera alert export --format prometheus); load with rule_files in prometheus.yml.\n");
        yaml.Append("groups:\n  - name: tessera\n    rules:\n");
        foreach (var rule in settings.Rules)
        {
            yaml.Append("      - alert: ").Append(Quote(rule.Name)).Append('\n');
            yaml.Append("        expr: ").Append(Quote(Expression(rule))).Append('\n');
            if (rule.ForSeconds > 0)
            {
                yaml.Append("        for: ").Append(string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(rule.ForSeconds):0}s")).Append('\n');
            }

            yaml.Append("        labels:\n          severity: ").Append(Quote(rule.Severity)).Append('\n');
            yaml.Append("        annotations:\n          summary: ").Append(Quote(rule.Summary ?? rule.Describe())).Append('\n');
            yaml.Append("          description: ").Append(Quote(rule.Describe() + " (value {{ $value }})")).Append('\n');
        }

        return yaml.ToString();
    }

    /// <summary>"(tessera_controller_server_up{namespace=\"shop\"}) &lt; 1".</summary>
    public static string Expression(AlertRule rule)
    {
        var matchers = new List<string>();
        if (rule.Namespace is { } ns)
        {
            matchers.Add($"namespace={Quote(ns)}");
        }

        if (rule.Group is { } group)
        {
            matchers.Add(string.Create(CultureInfo.InvariantCulture, $"group=\"{group}\""));
        }

        var selector = matchers.Count == 0 ? "" : "{" + string.Join(",", matchers) + "}";
        var value = AlertMetrics.All[rule.Metric].Expression.Replace("{0}", selector, StringComparison.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"({value}) {rule.Op} {rule.Threshold:R}");
    }

    // Relaxed escaping keeps '<', '>' and '&' readable in the file (the default encoder writes \u003C).
    private static readonly JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Quote(string text) => JsonSerializer.Serialize(text, Plain);
}
