using System.Globalization;
using Spectre.Console;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Cli.Up;

/// <summary>
/// What <c>tessera up</c> prints once everything answers: groups with their servers (role as the controller
/// sees them, PID, slot ranges), the controller, the proxy, the store, and the line that says how to connect.
/// A table on a terminal; plain aligned text when stdout is redirected (scripts and tests read it).
/// </summary>
internal static class UpSummary
{
    public static void Write(LocalTessera up, UpSettings settings)
    {
        var rows = Rows(up);
        var proxy = up.Proxy!;
        var ns = up.Namespace!;
        var proxyLine = string.Create(CultureInfo.InvariantCulture,
            $"{proxy.Endpoint} (admin {proxy.AdminUrl!.ToString().TrimEnd('/')}, pid {Environment.ProcessId}): namespace {ns.Name} at epoch {ns.Epoch}, signature {TopologySignature.Compute(ns)}");
        var controllerLine = $"{up.Controller!.Url.ToString().TrimEnd('/')} (leader, pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)})";
        if (Console.IsOutputRedirected)
        {
            var output = Console.Out;
            output.WriteLine($"Tessera in {settings.Directory}");
            output.WriteLine(Row("group", "role", "server", "pid", "slots", "state"));
            foreach (var row in rows)
            {
                output.WriteLine(Row(row.Group, row.Role, row.Server, row.Pid, row.Slots, row.State));
            }

            output.WriteLine($"controller  {controllerLine}");
            output.WriteLine($"proxy       {proxyLine}");
            output.WriteLine($"store       {settings.StoreUrl}");
            output.WriteLine($"token       {TokenLine(settings)}");
            WriteProblems(up);
            output.WriteLine(ReadyLine(settings));
            output.WriteLine("Ctrl-C (or SIGTERM) stops the proxy, the controller and every redis-server above.");
            output.Flush();
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Tessera[/]");
        foreach (var header in new[] { "Group", "Role", "Server", "PID", "Slots", "State" })
        {
            table.AddColumn(header);
        }

        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Group),
                row.Role == "master" ? "[green]master[/]" : Markup.Escape(row.Role),
                Markup.Escape(row.Server),
                Markup.Escape(row.Pid),
                Markup.Escape(row.Slots),
                row.State is "up" or "in sync" ? Markup.Escape(row.State) : $"[yellow]{Markup.Escape(row.State)}[/]");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Controller: [grey]{Markup.Escape(controllerLine)}[/]");
        AnsiConsole.MarkupLine($"Proxy:      [grey]{Markup.Escape(proxyLine)}[/]");
        AnsiConsole.MarkupLine($"Store:      [grey]{Markup.Escape(settings.StoreUrl)}[/]   Data and logs: [grey]{Markup.Escape(settings.Directory)}[/]");
        AnsiConsole.MarkupLine($"Token:      [grey]{Markup.Escape(TokenLine(settings))}[/]");
        WriteProblems(up);
        AnsiConsole.MarkupLine($"[bold green]{Markup.Escape(ReadyLine(settings))}[/]");
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Try: [grey]redis-cli -p {settings.Port} set user:1 alice[/], then [grey]tessera status{Markup.Escape(settings.ControllerFlag + settings.TokenFlag)}[/]. Ctrl-C stops everything."));
    }

    /// <summary>The line scripts wait for; it contains "ready" and how to reach the proxy and the controller.</summary>
    public static string ReadyLine(UpSettings settings) =>
        string.Create(CultureInfo.InvariantCulture, $"Tessera is ready: redis-cli -p {settings.Port}   (namespace default is open: no password; admin: tessera status{settings.ControllerFlag}{settings.TokenFlag})");

    /// <summary>Where the admin token is, or why there is none from this run.</summary>
    private static string TokenLine(UpSettings settings) =>
        File.Exists(settings.AdminTokenFile)
            ? $"admin token in {settings.AdminTokenFile} (mode 0600; the admin verbs read it from there, `tessera token create` makes more)"
            : "the store had API tokens already, so none was written; pass yours with --token or TESSERA_TOKEN";

    private static void WriteProblems(LocalTessera up)
    {
        foreach (var problem in up.ServerProblems)
        {
            Console.Error.WriteLine($"warning: not in sync yet: {problem}");
        }
    }

    private static List<SummaryRow> Rows(LocalTessera up)
    {
        var pids = up.Cluster!.Servers.ToDictionary(static s => s.Endpoint, static s => s.Pid.ToString(CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase);
        var ns = up.Namespace!;
        var rows = new List<SummaryRow>();
        var groups = up.Status?.Namespaces.FirstOrDefault(n => n.Name == ns.Name)?.Groups ?? [];
        foreach (var group in groups)
        {
            var id = group.Id.ToString(CultureInfo.InvariantCulture);
            var slots = string.Join(", ", ns.Slots.Where(r => r.Group == group.Id).OrderBy(static r => r.From)
                .Select(static r => string.Create(CultureInfo.InvariantCulture, $"{r.From}-{r.To}")));
            foreach (var server in group.Servers)
            {
                var state = server.Problem ?? (server.Role == "replica" ? "in sync" : "up");
                rows.Add(new SummaryRow(id, server.Role, server.Address, pids.GetValueOrDefault(server.Address, "?"), server.Role == "master" ? slots : "", state));
            }
        }

        return rows;
    }

    private static string Row(string group, string role, string server, string pid, string slots, string state) =>
        $"{group,-6} {role,-8} {server,-16} {pid,-8} {slots,-10} {state}".TrimEnd();

    private sealed record SummaryRow(string Group, string Role, string Server, string Pid, string Slots, string State);
}
