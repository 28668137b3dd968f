using System.Globalization;
using Spectre.Console;
using Tessera.Local.Clusters;

namespace Tessera.Cli.Output;

/// <summary>
/// What <c>tessera up</c> prints once everything answers: groups, servers with roles and PIDs, slot ranges,
/// the proxy, and the line that says how to connect. A table on a terminal; plain aligned text when stdout
/// is redirected (scripts and tests read it).
/// </summary>
internal static class ClusterSummary
{
    public static void Write(LocalCluster cluster, string topologyPath, int proxyPort)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (Console.IsOutputRedirected)
        {
            WritePlain(cluster, topologyPath, proxyPort);
        }
        else
        {
            WriteTable(cluster, topologyPath, proxyPort);
        }
    }

    /// <summary>The line scripts wait for; it contains "ready".</summary>
    public static string ReadyLine(int proxyPort) =>
        string.Create(CultureInfo.InvariantCulture, $"Tessera is ready: redis-cli -p {proxyPort}");

    private static void WritePlain(LocalCluster cluster, string topologyPath, int proxyPort)
    {
        var output = Console.Out;
        output.WriteLine($"Local cluster in {cluster.Directory} (topology: {topologyPath})");
        output.WriteLine(Row("group", "role", "endpoint", "pid", "slots"));
        foreach (var group in cluster.Groups)
        {
            var id = group.Id.ToString(CultureInfo.InvariantCulture);
            output.WriteLine(Row(id, "master", group.Master.Endpoint, Pid(group.Master.Pid), Slots(group)));
            foreach (var replica in group.Replicas)
            {
                output.WriteLine(Row(id, "replica", replica.Endpoint, Pid(replica.Pid), ""));
            }
        }

        output.WriteLine(Row("-", "proxy", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{proxyPort}"), Pid(Environment.ProcessId), "0..1023"));
        output.WriteLine(ReadyLine(proxyPort));
        output.WriteLine("Ctrl-C (or SIGTERM) stops the proxy and every redis-server above.");
        output.Flush();
    }

    private static void WriteTable(LocalCluster cluster, string topologyPath, int proxyPort)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Tessera local cluster[/]");
        table.AddColumn("Group");
        table.AddColumn("Role");
        table.AddColumn("Endpoint");
        table.AddColumn(new TableColumn("PID").RightAligned());
        table.AddColumn("Slots");
        foreach (var group in cluster.Groups)
        {
            var id = group.Id.ToString(CultureInfo.InvariantCulture);
            table.AddRow(id, "[green]master[/]", group.Master.Endpoint, Pid(group.Master.Pid), Slots(group));
            foreach (var replica in group.Replicas)
            {
                table.AddRow(id, "replica", replica.Endpoint, Pid(replica.Pid), "");
            }
        }

        table.AddRow("", "[blue]proxy[/]", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{proxyPort}"), Pid(Environment.ProcessId), "all");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Data and logs: [grey]{Markup.Escape(cluster.Directory)}[/]   Topology: [grey]{Markup.Escape(topologyPath)}[/]");
        AnsiConsole.MarkupLine($"[bold green]{Markup.Escape(ReadyLine(proxyPort))}[/]");
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"Try: [grey]redis-cli -p {proxyPort} set user:1 alice[/], then [grey]redis-cli -p {proxyPort} get user:1[/]. Ctrl-C stops everything."));
    }

    private static string Row(string group, string role, string endpoint, string pid, string slots) =>
        $"{group,-6} {role,-8} {endpoint,-16} {pid,-8} {slots}".TrimEnd();

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    private static string Slots(LocalGroup group) => string.Create(CultureInfo.InvariantCulture, $"{group.SlotFrom}..{group.SlotTo}");
}
