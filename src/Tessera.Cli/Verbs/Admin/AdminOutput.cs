using System.Text.Json;
using Spectre.Console;
using Tessera.Model.Api;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>
/// Where an admin verb writes: readable tables (Spectre.Console when stdout is a terminal, plain aligned
/// text otherwise, so pipes and tests get stable columns), JSON for <c>--json</c>, and errors on stderr.
/// </summary>
internal sealed class AdminOutput
{
    private readonly TextWriter _out;

    public AdminOutput(TextWriter output, TextWriter error)
    {
        _out = output;
        Error = error;
    }

    public TextWriter Error { get; }

    /// <summary>True when writing to a terminal: tables get borders and colour.</summary>
    public bool IsTerminal => ReferenceEquals(_out, Console.Out) && !Console.IsOutputRedirected;

    public void Line(string text = "") => _out.WriteLine(text);

    /// <summary>The value as indented JSON with the API's settings, i.e. what the controller answered.</summary>
    public void Json<T>(T value) => _out.WriteLine(JsonSerializer.Serialize(value, TesseraJson.Indented));

    /// <summary>A table with a header row; "" cells print as "-" so columns never look shifted.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string indent = "")
    {
        var cells = rows.Select(r => r.Select(static c => c.Length == 0 ? "-" : c).ToArray()).ToList();
        if (IsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in headers)
            {
                table.AddColumn(new TableColumn(Markup.Escape(header)));
            }

            foreach (var row in cells)
            {
                table.AddRow(row.Select(static c => Markup.Escape(c)).ToArray());
            }

            AnsiConsole.Write(table);
            return;
        }

        var widths = headers.Select(static h => h.Length).ToArray();
        foreach (var row in cells)
        {
            for (var i = 0; i < widths.Length && i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        WriteRow(headers, widths, indent);
        foreach (var row in cells)
        {
            WriteRow(row, widths, indent);
        }
    }

    private void WriteRow(IReadOnlyList<string> row, int[] widths, string indent)
    {
        var parts = new string[widths.Length];
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < row.Count ? row[i] : "";
            parts[i] = i == widths.Length - 1 ? cell : cell.PadRight(widths[i]);
        }

        _out.WriteLine(indent + string.Join("  ", parts).TrimEnd());
    }
}
