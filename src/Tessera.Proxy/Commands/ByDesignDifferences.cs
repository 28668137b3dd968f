using System.Text.RegularExpressions;

namespace Tessera.Proxy.Commands;

/// <summary>
/// One way a client sees the proxy answer differently from a single redis-server, on purpose.
/// </summary>
/// <param name="Commands">The commands it concerns: "*" for any, else names separated by commas ("FLUSHALL, FLUSHDB", "CLIENT SETINFO").</param>
/// <param name="Reply">What the proxy answers, as a person reads it (for docs/commands.md).</param>
/// <param name="Pattern">A regular expression the proxy's whole reply (RESP text) matches, anchored at its start.</param>
/// <param name="Reason">Why the proxy answers so.</param>
/// <param name="After">When set, the difference counts only after an earlier reply of the proxy on the same connection matched this pattern.</param>
public sealed record ByDesignDifference(string Commands, string Reply, string Pattern, string Reason, string? After = null)
{
    /// <summary>
    /// True when the proxy's reply <paramref name="proxyReply"/> to <paramref name="command"/> (its arguments) is this
    /// difference; <paramref name="earlierReplies"/> are the proxy's earlier replies on the same connection.
    /// </summary>
    public bool Matches(IReadOnlyList<string> command, string proxyReply, IEnumerable<string> earlierReplies) =>
        command.Count > 0 && (Commands == "*" || Commands.Split(", ").Any(c =>
            c.Equals(command[0], StringComparison.OrdinalIgnoreCase) ||
            (command.Count > 1 && c.Equals($"{command[0]} {command[1]}", StringComparison.OrdinalIgnoreCase)))) &&
        IsMatch(proxyReply, Pattern) && (After is null || earlierReplies.Any(r => IsMatch(r, After)));

    private static bool IsMatch(string reply, string pattern) =>
        Regex.IsMatch(reply, "^(?:" + pattern + ")", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>
/// The short, reviewed list of replies in which the proxy differs from a single redis-server by design. The
/// differential tests (tests/Tessera.Clients.Tests/Differential) accept a difference only when it is in this list,
/// and docs/commands.md shows the list (tools/CommandsDoc renders it).
/// </summary>
public static class ByDesignDifferences
{
    public static IReadOnlyList<ByDesignDifference> All { get; } =
    [
        new("*", "-CROSSSLOT Keys in request don't hash to the same slot",
            @"-CROSSSLOT Keys in request don't hash to the same slot\r\n",
            "keys in different slots may live on different groups, and a command that needs them together (SUNION, RENAME, MSETNX, EVAL, a transaction...) runs on one redis-server; MGET, MSET, DEL, UNLINK, EXISTS and TOUCH are split across groups instead"),
        new("EXEC", "-EXECABORT Transaction discarded because of previous errors.",
            @"-EXECABORT Transaction discarded because of previous errors\.\r\n",
            "a transaction in which a command got -CROSSSLOT is discarded at EXEC, as Redis discards one whose commands were rejected while queued",
            After: "-CROSSSLOT "),
        new("*", "-ERR <command> is not supported through Tessera: <reason>",
            @"-ERR [A-Z_ -]+ is not supported through Tessera: [^\r\n]+\r\n",
            "the commands refused in the table below (administration, replication, Redis Cluster, other databases, MONITOR) would reach one backend only or break routing; the error gives the reason of the command's row"),
        new("SELECT", "-ERR Tessera serves database 0 only (SELECT n); use a namespace to keep data apart",
            @"-ERR Tessera serves database 0 only \(SELECT [^)]*\); use a namespace to keep data apart\r\n",
            "every group serves database 0 only (SELECT 0 works); namespaces keep data apart instead"),
        new("FLUSHALL, FLUSHDB", "-ERR FLUSHALL would erase every group of namespace '<name>'; it is refused unless the namespace sets allowFlush (...)",
            @"-ERR FLUSH(ALL|DB) would erase every group of namespace '[^']*'; it is refused unless the namespace sets allowFlush",
            "one command would erase every group of the namespace; a namespace allows it with allowFlush"),
        new("CLIENT SETINFO", "+OK",
            @"\+OK\r\n",
            "CLIENT SETINFO came with Redis 7.2, after the 7.0 command table; client libraries send it when they connect, so the proxy accepts it"),
    ];
}
