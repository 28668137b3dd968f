using System.Text;
using Tessera.Local.Servers;

namespace Tessera.Local.Tests.Servers;

/// <summary>The log tail shown in failure messages: the last lines, a cut first line dropped, a note instead of an exception.</summary>
public sealed class LogTailTests : IDisposable
{
    private readonly TempDirectory _directory = new("tessera-logtail-test");

    [Fact]
    public void The_last_lines_of_a_short_log_are_returned_in_order()
    {
        var log = Write("short.log", string.Join('\n', Enumerable.Range(1, 50).Select(i => $"line {i}")) + "\n");

        Assert.Equal("line 48\nline 49\nline 50", LogTail.Read(log, maxLines: 3));
        Assert.Equal(string.Join('\n', Enumerable.Range(21, 30).Select(i => $"line {i}")), LogTail.Read(log));
    }

    [Fact]
    public void A_log_larger_than_the_tail_drops_the_line_cut_at_the_start()
    {
        // 100-byte lines, 20 KB in all: the 8 KB tail starts inside a line, which must not be shown half.
        var lines = Enumerable.Range(0, 200).Select(i => $"{i:D5} " + new string('x', 93)).ToList();
        var log = Write("long.log", string.Join('\n', lines) + "\n");

        var tail = LogTail.Read(log, maxLines: 1000).Split('\n');

        Assert.Equal(lines[^1], tail[^1]);
        Assert.All(tail, line => Assert.Equal(99, line.Length));
        Assert.True(tail.Length < 82, $"{tail.Length} lines from an 8 KB tail of 100-byte lines");
    }

    [Fact]
    public void Empty_missing_and_directoryless_logs_are_described_not_thrown()
    {
        Assert.Equal("(log is empty)", LogTail.Read(Write("empty.log", "")));
        Assert.Equal("(log is empty)", LogTail.Read(Write("blank.log", "\n\n")));
        Assert.StartsWith("(no log at ", LogTail.Read(_directory.Sub("absent.log")), StringComparison.Ordinal);
        Assert.Contains("its directory does not exist", LogTail.Read(Path.Combine(_directory.Sub("gone"), "x.log")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_still_open_for_appending_is_read()
    {
        var path = _directory.Sub("open.log");
        using var writer = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        writer.Write(Encoding.UTF8.GetBytes("first\nsecond\n"));
        writer.Flush();

        Assert.Equal("first\nsecond", LogTail.Read(path));
    }

    public void Dispose() => _directory.Dispose();

    private string Write(string name, string text)
    {
        var path = _directory.Sub(name);
        File.WriteAllText(path, text);
        return path;
    }
}
