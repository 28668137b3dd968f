using System.Text.RegularExpressions;

namespace Tessera.Proxy.Commands;

/// <summary>
/// One way a client sees the proxy answer differently from a single redis-server, on purpose.
/// </summary>
/// <param name="Commands">The commands it concerns: "*" for any, else names separated by spaces ("FLUSHALL FLUSHDB").</param>
/// <param name="ProxyReply">A regular expression the proxy's whole reply (RESP text) matches, anchored at its start.</param>
/// <param name="Reason">Why the proxy answers so.</param>
public sealed record ByDesignDifference(string Commands, string ProxyReply, string Reason)
{
    /// <summary>True when the proxy's reply <paramref name="proxyReply"/> to <paramref name="command"/> is this difference.</summary>
    public bool Matches(string command, string proxyReply) =>
        (Commands == "*" || Commands.Split(' ').Contains(command, StringComparer.OrdinalIgnoreCase)) &&
        Regex.IsMatch(proxyReply, "^(?:" + ProxyReply + ")", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
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
        new("*", @"-CROSSSLOT Keys in request don't hash to the same slot\r\n",
            "keys in different slots may live on different groups, and a command that needs them together (SUNION, RENAME, EVAL, a transaction...) runs on one redis-server; MGET, MSET, DEL, UNLINK, EXISTS and TOUCH are split instead"),
        new("*", @"-ERR [A-Z_ -]+ is not supported through Tessera: [^\r\n]+\r\n",
            "the refused commands of the table below (administration, replication, Redis Cluster, databases other than 0, MONITOR) would reach one backend only or break routing; the error names the command and the reason"),
        new("SELECT", @"-ERR Tessera serves database 0 only \(SELECT [^)]*\); use a namespace to keep data apart\r\n",
            "the proxy serves database 0 only (SELECT 0 works); namespaces keep data apart instead"),
        new("FLUSHALL FLUSHDB", @"-ERR FLUSH(ALL|DB) would erase every group of namespace '[^']*'; it is refused unless the namespace sets allowFlush",
            "erasing a namespace's every group is refused unless the namespace allows it (allowFlush)"),
    ];
}
