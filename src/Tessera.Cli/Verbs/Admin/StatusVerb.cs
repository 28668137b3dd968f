using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tessera.Cli.Hosting;
using Tessera.Model.Api;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera status</c>: the controller, namespaces with groups and servers as they answer now, proxies.</summary>
internal static class StatusVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var json = AdminOptions.Json();
        var command = new Command("status", "Show the controller, every namespace with its groups and servers (asked live), and every proxy.") { controller, json }
            .WithEpilog("""
                Servers are asked for INFO replication with a short timeout ("down" when they do not answer);
                proxies are asked for their routes and compared with the store (OK / MISMATCH).

                Examples:
                  tessera status
                  tessera status --json | jq '.proxies[].namespaces'
                  tessera status --json | jq '.migrations[] | {id, phase, keysMoved, keysLeft, etaSeconds}'
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var status = await client.GetStatusAsync(ct).ConfigureAwait(false);
            var migrations = await client.ListMigrationsAsync(null, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                // The API's status report plus the unfinished migrations (what the text shows), so scripts get both in one call.
                var node = JsonSerializer.SerializeToNode(status, TesseraJson.Options)!.AsObject();
                node["migrations"] = JsonSerializer.SerializeToNode(migrations.Where(static m => !m.IsFinal).ToList(), TesseraJson.Options);
                output.Json(node);
                return;
            }

            Write(output, status);
            SlotsMigrateVerb.WriteStatus(output, migrations);
        }, cancel));
        return command;
    }

    private static void Write(AdminOutput output, StatusReport status)
    {
        var c = status.Controller;
        output.Line(c.IsLeader
            ? $"Controller {c.Id} at {c.Url}: leader (store {c.Store})"
            : $"Controller {c.Id} at {c.Url}: standby; leader {(c.Leader is null ? "unknown" : $"{c.Leader.Id} at {c.Leader.Url}")} (store {c.Store})");
        if (status.Namespaces.Count == 0)
        {
            output.Line("No namespaces yet: create one with `tessera namespace create default`.");
        }

        foreach (var ns in status.Namespaces)
        {
            output.Line();
            output.Line(Invariant($"Namespace {ns.Name}: epoch {ns.Epoch}, signature {ns.Signature}, {ns.AssignedSlots}/1024 slots assigned"));
            if (ns.Groups.Count == 0)
            {
                output.Line("  no groups yet");
                continue;
            }

            var rows = new List<IReadOnlyList<string>>();
            foreach (var group in ns.Groups)
            {
                if (group.Servers.Count == 0)
                {
                    rows.Add([Invariant($"{group.Id}"), Invariant($"{group.Slots}"), "(no servers)", "", "", "", "", "", ""]);
                }

                var first = true;
                foreach (var server in group.Servers)
                {
                    rows.Add(
                    [
                        first ? Invariant($"{group.Id}") : "",
                        first ? Invariant($"{group.Slots}") : "",
                        server.Address,
                        server.Role,
                        server.Observed,
                        server.Zone ?? "",
                        server.Offset is { } offset ? Invariant($"{offset}") : "",
                        server.Fresh switch { true => "fresh", false => "no", null => "" },
                        server.Problem ?? "",
                    ]);
                    first = false;
                }
            }

            output.Table(["GROUP", "SLOTS", "SERVER", "ROLE", "OBSERVED", "ZONE", "OFFSET", "READS", "PROBLEM"], rows, "  ");
        }

        output.Line();
        output.Line(Invariant($"Proxies: {status.Proxies.Count}"));
        ProxiesVerb.Write(output, status.Proxies, "  ");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
