using System.Globalization;

namespace Tessera.Controller.Insight;

/// <summary>
/// The three counters of a proxy's /metrics the insight round needs, summed per namespace: commands (the command
/// duration histogram's _count), error replies and quota waits. Read from the Prometheus text the proxy serves
/// anyway, so the proxy needs no second API for the same numbers.
/// </summary>
internal sealed record ProxyCounters(IReadOnlyDictionary<string, NamespaceCounters> Namespaces)
{
    public const string Commands = "tessera_proxy_command_duration_seconds_count";
    public const string Errors = "tessera_proxy_command_errors_total";
    public const string QuotaWaits = "tessera_proxy_quota_waits_total";

    /// <summary>Sums the counters of <paramref name="text"/> (the Prometheus text format) by their namespace label.</summary>
    public static ProxyCounters Parse(string text)
    {
        var sums = new Dictionary<string, NamespaceCounters>(StringComparer.Ordinal);
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            int which = line.StartsWith(Commands + "{") ? 0 : line.StartsWith(Errors + "{") ? 1 : line.StartsWith(QuotaWaits + "{") ? 2 : -1;
            if (which < 0 || Label(line, "namespace") is not { } ns)
            {
                continue;
            }

            var close = line.LastIndexOf('}');
            var rest = line[(close + 1)..].Trim();
            var space = rest.IndexOf(' ');
            if (!double.TryParse(space < 0 ? rest : rest[..space], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var current = sums.GetValueOrDefault(ns);
            sums[ns] = which switch
            {
                0 => current with { Commands = current.Commands + value },
                1 => current with { Errors = current.Errors + value },
                _ => current with { QuotaWaits = current.QuotaWaits + value },
            };
        }

        return new ProxyCounters(sums);
    }

    /// <summary>The value of label <paramref name="name"/> in a sample line, or null.</summary>
    private static string? Label(ReadOnlySpan<char> line, string name)
    {
        var open = line.IndexOf('{');
        var close = line.LastIndexOf('}');
        if (open < 0 || close < open)
        {
            return null;
        }

        var labels = line[(open + 1)..close];
        while (!labels.IsEmpty)
        {
            var eq = labels.IndexOf('=');
            if (eq < 0 || eq + 1 >= labels.Length || labels[eq + 1] != '"')
            {
                return null;
            }

            var key = labels[..eq].Trim();
            var valueStart = eq + 2;
            var end = valueStart;
            while (end < labels.Length && labels[end] != '"')
            {
                end += labels[end] == '\\' ? 2 : 1;
            }

            if (key.SequenceEqual(name))
            {
                return labels[valueStart..Math.Min(end, labels.Length)].ToString();
            }

            labels = end + 1 < labels.Length ? labels[(end + 1)..].TrimStart(',') : [];
        }

        return null;
    }
}

/// <summary>One namespace's counters on one proxy.</summary>
internal readonly record struct NamespaceCounters(double Commands, double Errors, double QuotaWaits);
