namespace Tessera.Model.Insight;

/// <summary>
/// One series of a rule that meets its condition: pending until the rule's duration has passed, then firing
/// (GET /api/alerts, <c>tessera alert list</c>). Resolved alerts leave the list and the event log says when.
/// </summary>
public sealed record ActiveAlert
{
    public required string Rule { get; init; }

    public required string Severity { get; init; }

    /// <summary>The series' labels (namespace, group, server …).</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The value at the last evaluation.</summary>
    public required double Value { get; init; }

    /// <summary>When the condition started to hold.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>When it fired; null while pending.</summary>
    public DateTimeOffset? FiredAt { get; init; }

    public bool Firing => FiredAt is not null;

    public string? Summary { get; init; }

    /// <summary>"server-down{namespace=shop,group=1,server=127.0.0.1:7001}", the series' identity.</summary>
    public string Key => Keyed(Rule, Labels);

    public static string Keyed(string rule, IReadOnlyDictionary<string, string> labels) =>
        rule + "{" + string.Join(",", labels.OrderBy(static l => l.Key, StringComparer.Ordinal).Select(static l => l.Key + "=" + l.Value)) + "}";
}
