using System.CommandLine;
using System.Globalization;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera health</c>: each group's and server's health score with what took points off.</summary>
internal static class HealthVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var ns = new Option<string?>("--namespace", "-n") { Description = "Only this namespace's groups.", HelpName = "namespace" };
        var all = new Option<bool>("--all") { Description = "Show every server, not only those below 100." };
        var json = AdminOptions.Json();
        var command = new Command("health", "Show a health score (0–100) for every group and server, with the reasons for each point taken off.") { controller, ns, all, json }
            .WithEpilog("""
                A server starts at 100 and loses points for being down (0), a broken link to its master (-50), replica
                lag (-10 over 1 s, -40 over 10 s), memory near maxmemory (-15 at 80%, -30 at 90%, -50 at 98%),
                evictions (-20), slow PINGs (-10 over 10 ms, -30 over 100 ms) and more than one slow log entry a second
                (-10). A group scores its master's score, less 30 with no healthy replica to fail over to and 10 for
                each replica below 50. The leader recomputes the scores every insight round (5 s by default).

                Examples:
                  tessera health
                  tessera health --namespace shop --all
                  tessera health --json | jq '.groups[] | select(.score < 70)'
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var report = await client.GetHealthScoresAsync(ct).ConfigureAwait(false);
            var groups = report.Groups.Where(g => parse.GetValue(ns) is not { } only || g.Namespace == only).ToList();
            if (parse.GetValue(json))
            {
                output.Json(report with { Groups = groups });
                return;
            }

            if (report.SampledAt is null)
            {
                output.Line("No scores yet: the leader computes them after its first insight round (5 s by default).");
                return;
            }

            output.Table(
                ["NAMESPACE", "GROUP", "SCORE", "WHY"],
                groups.Select(static g => (IReadOnlyList<string>)[g.Namespace, g.Group.ToString(CultureInfo.InvariantCulture), g.Score.ToString(CultureInfo.InvariantCulture), string.Join("; ", g.Reasons)]));
            var servers = groups.SelectMany(static g => g.Servers).Where(s => parse.GetValue(all) || s.Score < 100).ToList();
            if (servers.Count > 0)
            {
                output.Line();
                output.Table(
                    ["SERVER", "NAMESPACE", "GROUP", "ROLE", "SCORE", "WHY"],
                    servers.Select(static s => (IReadOnlyList<string>)[s.Server, s.Namespace, s.Group.ToString(CultureInfo.InvariantCulture), s.Role, s.Score.ToString(CultureInfo.InvariantCulture), string.Join("; ", s.Reasons)]));
            }

            output.Line();
            output.Line($"As of {report.SampledAt.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.");
        }, cancel));
        return command;
    }
}
