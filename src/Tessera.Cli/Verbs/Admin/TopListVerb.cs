using System.CommandLine;
using System.Globalization;
using Tessera.Cli.Hosting;
using Tessera.Model.Insight;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera top</c>: the namespaces ranked by ops/s, lowest memory utilisation, lowest hit rate and growth.</summary>
internal static class TopListVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var by = new Option<string>("--by") { Description = "Which list: ops, memory (lowest utilisation first), hit-rate (lowest first), growth, or all.", DefaultValueFactory = _ => "all", HelpName = "list" };
        by.AcceptOnlyFromAmong("ops", "memory", "hit-rate", "growth", "all");
        var limit = new Option<int>("--limit") { Description = "Namespaces per list (default 10).", DefaultValueFactory = _ => 10, HelpName = "count" };
        var json = AdminOptions.Json();
        var command = new Command("top", "Rank the namespaces: busiest, lowest memory utilisation, lowest hit rate, fastest growing.") { controller, by, limit, json }
            .WithEpilog("""
                Ops/s is summed over every proxy between the leader's last two insight rounds; memory utilisation is
                used_memory / maxmemory over a namespace's masters (masters without maxmemory left out); hit rate is
                keyspace_hits / (hits + misses) over the window; growth is keys and memory gained per hour over the
                window (the last 5 minutes, or since the leader started when less).

                Examples:
                  tessera top
                  tessera top --by hit-rate --limit 5
                  tessera top --json | jq '.byOps[0]'
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var report = await client.GetTopAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(report);
                return;
            }

            if (report.SampledAt is null)
            {
                output.Line("No figures yet: the leader gathers them every insight round (5 s by default).");
                return;
            }

            var which = parse.GetValue(by);
            var n = parse.GetValue(limit);
            if (which is "ops" or "all")
            {
                List(output, "Busiest (commands/s)", report.ByOps, n, static f => Number(f.OpsPerSecond, "0.#"));
            }

            if (which is "memory" or "all")
            {
                List(output, "Lowest memory utilisation (used / maxmemory)", report.ByLowestMemoryUtilisation, n, static f => Percent(f.MemoryUtilisation) + $" of maxmemory, {Bytes(f.UsedMemoryBytes)} used");
            }

            if (which is "hit-rate" or "all")
            {
                List(output, "Lowest hit rate (keyspace hits / lookups)", report.ByLowestHitRate, n, static f => Percent(f.HitRate));
            }

            if (which is "growth" or "all")
            {
                List(output, $"Fastest growing (over the last {report.WindowSeconds:0} s)", report.ByGrowth, n, static f =>
                    $"{Number(f.KeysGained, "+0;-0;0")} keys, {Number(f.MemoryGainedBytes / (1024.0 * 1024), "+0.0;-0.0;0")} MiB"
                    + (f.KeysGrowthPerHour is { } perHour ? $" ({Number(perHour, "+0;-0;0")} keys/h)" : "") + $"; {f.Keys} keys now");
            }
        }, cancel));
        return command;
    }

    private static void List(AdminOutput output, string title, IReadOnlyList<NamespaceFigures> figures, int limit, Func<NamespaceFigures, string> value)
    {
        output.Line(title + ":");
        if (figures.Count == 0)
        {
            output.Line("  (no namespace has this figure yet)");
        }
        else
        {
            output.Table(["#", "NAMESPACE", "VALUE"], figures.Take(limit).Select((f, i) => (IReadOnlyList<string>)[(i + 1).ToString(CultureInfo.InvariantCulture), f.Namespace, value(f)]), "  ");
        }

        output.Line();
    }

    private static string Number(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";

    private static string Percent(double? value) => value?.ToString("0.0%", CultureInfo.InvariantCulture) ?? "-";

    private static string Bytes(long? value) => value is { } b ? (b / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB" : "-";
}
