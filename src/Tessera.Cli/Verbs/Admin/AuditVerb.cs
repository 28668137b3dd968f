using System.CommandLine;
using System.Globalization;
using Tessera.Cli.Hosting;
using Tessera.Model.Api;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera audit</c>: the admin changes the controllers answered, oldest first (needs an admin token).</summary>
internal static class AuditVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var json = AdminOptions.Json();
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"How many of the newest entries to show (1–{AuditEntry.Kept}).",
            HelpName = "count",
            DefaultValueFactory = _ => 50,
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > AuditEntry.Kept)
            {
                result.AddError($"--limit must be between 1 and {AuditEntry.Kept}");
            }
        });
        var command = new Command("audit", "Show the audit log: every change sent to the controllers' API, with the token, the client address and the result.") { controller, limit, json }
            .WithEpilog($"""
                Each line: time (UTC), token and its role, client address, method and path, and the HTTP status the
                change ended with (2xx done, 4xx refused, 5xx failed or sent to a standby). Reads are not recorded, nor
                request bodies (they may hold secrets). The store keeps the newest {AuditEntry.Kept}. Needs an admin token.

                Example:
                  tessera audit
                  tessera audit --limit 200 --json | jq '.[] | select(.status >= 400)'
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var entries = await client.ListAuditAsync(parse.GetValue(limit), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(entries);
                return;
            }

            if (entries.Count == 0)
            {
                output.Line("No changes recorded yet.");
                return;
            }

            output.Table(["TIME (UTC)", "TOKEN", "ROLE", "CLIENT", "REQUEST", "STATUS"], entries.Select(static e => Row(e)));
        }, cancel));
        return command;
    }

    private static IReadOnlyList<string> Row(AuditEntry entry) =>
    [
        entry.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        entry.Token,
        entry.Role,
        entry.Client,
        $"{entry.Method} {entry.Path}",
        entry.Status.ToString(CultureInfo.InvariantCulture),
    ];
}
