using CommandsDoc;
using Tessera.Clients.Tests.Support;
using Tessera.Resp.Commands;

namespace Tessera.Clients.Tests.Docs;

/// <summary>docs/commands.md is generated from the proxy's decisions and must be regenerated whenever they change.</summary>
public sealed class CommandsPageTests
{
    [Fact]
    public void Committed_page_is_what_the_generator_writes_today()
    {
        var table = CommandTable.Default;
        string expected = CompatibilityPage.Render(CompatibilityPage.BuildRows(new ProxyCommandSupport(), table), table.RedisVersion);
        string committed = File.Exists(Repository.CommandsPage) ? File.ReadAllText(Repository.CommandsPage) : "";
        if (committed == expected)
        {
            return;
        }

        Assert.Fail(
            $"docs/commands.md does not match what the proxy does: run `{CompatibilityPage.RegenerateCommand}` from the repository root and commit the page.\n" +
            FirstDifference(committed, expected));
    }

    [Fact]
    public void Every_command_and_subcommand_of_the_table_has_one_row()
    {
        var rows = CompatibilityPage.BuildRows(new ProxyCommandSupport(), CommandTable.Default);
        var names = rows.Select(r => r.Command).ToList();
        var expected = new List<string>();
        foreach (var command in CommandTable.Default.Commands)
        {
            expected.Add(command.DisplayName);
            expected.AddRange(command.Subcommands.Select(s => s.DisplayName));
        }

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.False(string.IsNullOrEmpty(r.Group), $"{r.Command} has no Redis group"));
        Assert.All(rows.Where(r => r.IsRefused), r => Assert.False(string.IsNullOrWhiteSpace(r.Note), $"{r.Command} is refused without a reason"));
    }

    [Fact]
    public void Rendered_page_reads_back_to_the_same_rows()
    {
        var source = new ListSource(
        [
            ("GET", "supported, keys in one slot", ""),
            ("CONFIG GET", "refused", "ERR CONFIG GET is not supported: a | in the note, and `code`"),
            ("NEWCMD", "a level nobody knows yet", "note"),
        ]);
        var rows = CompatibilityPage.BuildRows(source, CommandTable.Default);
        string page = CompatibilityPage.Render(rows, "7.0.15");

        Assert.Equal(rows, CompatibilityPage.Parse(page));
        Assert.Contains("| a level nobody knows yet | see the notes of each command | 1 |", page, StringComparison.Ordinal);
        Assert.Equal("string", rows[0].Group);
        Assert.Equal("server", rows[1].Group);
    }

    private static string FirstDifference(string committed, string expected)
    {
        var a = committed.Split('\n');
        var b = expected.Split('\n');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string left = i < a.Length ? a[i] : "(end of file)";
            string right = i < b.Length ? b[i] : "(end of file)";
            if (left != right)
            {
                return $"first difference at line {i + 1}:\n  committed: {left}\n  generated: {right}";
            }
        }

        return "the files differ only in line endings";
    }

    private sealed class ListSource(IReadOnlyList<(string Command, string Support, string Note)> rows) : ICommandSupportSource
    {
        public IReadOnlyList<(string Command, string Support, string Note)> Describe() => rows;
    }
}
