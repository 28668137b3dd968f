using System.Globalization;
using System.Text.RegularExpressions;

namespace Tessera.Model.Insight;

/// <summary>
/// One alert rule (architecture §12): a derived value (<see cref="AlertMetrics"/>), a comparison with a threshold held
/// for a duration, optionally narrowed to a namespace or group. The leading controller evaluates every rule against
/// every series of its value after each insight round; a series that meets the condition for <see cref="ForSeconds"/>
/// fires, and resolves when it no longer does. The same rule exports as a Prometheus alerting rule over the
/// exported metrics (<c>tessera alert export</c>).
/// </summary>
public sealed partial record AlertRule
{
    /// <summary>A name for the rule: letters, digits, '-' and '_' (the Prometheus alertname).</summary>
    public required string Name { get; init; }

    /// <summary>The value compared: one of <see cref="AlertMetrics.All"/>.</summary>
    public required string Metric { get; init; }

    /// <summary>"&gt;", "&gt;=", "&lt;", "&lt;=", "==" or "!=".</summary>
    public required string Op { get; init; }

    public required double Threshold { get; init; }

    /// <summary>How long the condition must hold before the alert fires (0: at once).</summary>
    public double ForSeconds { get; init; }

    /// <summary>Only series of this namespace; null: every namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>Only series of this group; null: every group.</summary>
    public int? Group { get; init; }

    /// <summary>"critical", "warning" or "info".</summary>
    public string Severity { get; init; } = "warning";

    /// <summary>What it means, for people (the webhook's and the rule file's summary).</summary>
    public string? Summary { get; init; }

    /// <summary>True when <paramref name="value"/> meets the condition.</summary>
    public bool Holds(double value) => Op switch
    {
        ">" => value > Threshold,
        ">=" => value >= Threshold,
        "<" => value < Threshold,
        "<=" => value <= Threshold,
        "==" => value == Threshold,
        "!=" => value != Threshold,
        _ => false,
    };

    /// <summary>What is wrong with the rule, in words, each with what to do; empty when it is usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(Name) || !NamePattern().IsMatch(Name))
        {
            problems.Add($"the rule name '{Name}' must be 1–64 letters, digits, '-' or '_' (it becomes the Prometheus alertname)");
        }

        if (!AlertMetrics.All.ContainsKey(Metric ?? ""))
        {
            problems.Add($"unknown metric '{Metric}': use one of {string.Join(", ", AlertMetrics.All.Keys)}");
        }

        if (Op is not (">" or ">=" or "<" or "<=" or "==" or "!="))
        {
            problems.Add($"unknown comparison '{Op}': use >, >=, <, <=, == or !=");
        }

        if (double.IsNaN(Threshold) || double.IsInfinity(Threshold))
        {
            problems.Add("the threshold must be a finite number");
        }

        if (ForSeconds is < 0 or > 86400 || double.IsNaN(ForSeconds))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"--for must be between 0 and 86400 seconds, not {ForSeconds}"));
        }

        if (Severity is not ("critical" or "warning" or "info"))
        {
            problems.Add($"unknown severity '{Severity}': use critical, warning or info");
        }

        if (Group is not null && !(AlertMetrics.All.TryGetValue(Metric ?? "", out var metric) && metric.Labels.Contains("group")))
        {
            problems.Add($"the metric '{Metric}' has no group label: drop --group");
        }

        return problems;
    }

    /// <summary>"memory_used_ratio >= 0.9 for 300 s (namespace shop)".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Metric} {Op} {Threshold} for {ForSeconds:0.#} s{(Namespace is null ? "" : $", namespace {Namespace}")}{(Group is null ? "" : $", group {Group}")}");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex NamePattern();
}
