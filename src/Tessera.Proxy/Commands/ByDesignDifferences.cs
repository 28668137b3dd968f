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
/// <param name="TestedBy">
/// The test class that shows it when the differential harness cannot: the harness compares one open namespace with
/// one redis-server, so differences that need users or a read-only namespace are shown by the tenant tests.
/// </param>
public sealed record ByDesignDifference(string Commands, string Reply, string Pattern, string Reason, string? After = null, string? TestedBy = null)
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
        new("PING", "+PONG before AUTH",
            @"\+PONG\r\n",
            "a connection that has not authenticated yet may PING (Redis answers -NOAUTH): load balancers and health checks probe proxies without a tenant's password", TestedBy: "TenantAuthTests"),
        new("EVAL, EVALSHA, FCALL", "-NOPERM this user has no permissions to run the 'eval' command (read-only users)",
            @"-NOPERM this user has no permissions to run the '(eval|evalsha|fcall)' command\r\n",
            "a script runs its commands on the proxy's shared backend connection, where a user's permissions cannot follow it; a read-only user runs EVAL_RO, EVALSHA_RO and FCALL_RO, which Redis keeps from writing (denied categories likewise do not reach inside scripts: deny @scripting too)", TestedBy: "TenantAuthTests"),
        new("*", "-READONLY namespace '<name>' is read-only (...); reads still work",
            @"-READONLY namespace '[^']*' is read-only[^\r\n]*\r\n",
            "the namespace's read-only switch (tessera namespace set <name> --readonly true) refuses writes with the error Redis gives for a write to a replica", TestedBy: "TenantAuthTests"),
        new("AUTH, HELLO", "-ERR AUTH to namespace '<name>' is refused while this connection is in MULTI, subscribed or tracking (...)",
            @"-ERR AUTH to namespace '[^']*' is refused while [^\r\n]*\r\n",
            "AUTH may move a connection to another namespace; what it holds (a transaction, subscriptions, tracking) lives on the old namespace's servers and cannot move with it", TestedBy: "TenantAuthTests"),
        new("READONLY, READWRITE", "+OK",
            @"\+OK\r\n",
            "a standalone redis-server refuses them (cluster support disabled); through Tessera they opt a connection in to reads from fresh replicas and out again, as on Redis Cluster (architecture §10)", TestedBy: "ReadModeTests"),
        new("*", "-TRYAGAIN no replica of group <id> of namespace '<name>' is fresh enough to serve reads (...)",
            @"-TRYAGAIN no replica of group \d+ of namespace '[^']*' is fresh enough to serve reads[^\r\n]*\r\n",
            "a read in read mode replica when no replica of the key's group is fresh: the mode's promise is that reads never load the master", TestedBy: "ReplicaFreshnessTests"),
        new("CLIENT SETINFO", "+OK",
            @"\+OK\r\n",
            "CLIENT SETINFO came with Redis 7.2, after the 7.0 command table; client libraries send it when they connect, so the proxy accepts it"),
    ];
}
