namespace Tessera.Clients.Tests.Differential;

/// <summary>
/// A difference that is a bug in the proxy, not a design decision: listed so CI stays green while it is visible.
/// The tests fail when a listed difference is no longer seen (the bug was fixed): then delete its entry.
/// </summary>
/// <param name="Case">The case's name.</param>
/// <param name="Reply">The label of the reply that differs (as in a failure message: "client 0: GET {t}k").</param>
/// <param name="Proxy">Text the proxy's wrong reply contains (RESP, e.g. "*-1\r\n"): a different wrong reply fails the test too.</param>
/// <param name="Issue">What is wrong, for the issue tracker.</param>
public sealed record KnownDifference(string Case, string Reply, string Proxy, string Issue);

/// <summary>Proxy bugs the differential harness found; the proxy is fixed elsewhere.</summary>
public static class KnownDifferences
{
    public static IReadOnlyList<KnownDifference> All { get; } =
    [
        new("errors", "client 0: PING a b", "$1\r\na\r\n",
            "PING with two arguments: redis-server answers -ERR wrong number of arguments for 'ping' command, the proxy answers the first argument ($1 a)"),
        new("transaction aborted by a queue error", "client 0: EXEC", "*1\r\n+OK\r\n",
            "EXEC after a queued command was rejected (INCR without a key, an unknown command): redis-server answers -EXECABORT Transaction discarded because of previous errors., the proxy runs the commands that were queued (*1 +OK)"),
        new("transaction aborted by a queue error", "client 0: GET {t}k", "$1\r\n1\r\n",
            "follows from the EXEC above: the proxy's transaction wrote {t}k, so GET answers 1 instead of nil"),
        new("wrong arity: EXEC with 2 argument(s)", "client 0: EXEC {g}1", "-ERR wrong number of arguments for 'exec' command\r\n",
            "EXEC with an argument: redis-server answers -EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command, the proxy -ERR wrong number of arguments for 'exec' command"),
        new("valid arity: COMMAND LIST", "client 0: COMMAND LIST", "*240\r\n",
            "COMMAND LIST: redis-server lists 366 names, subcommands included (config|get...), the proxy 240, top-level commands only"),
        new("command introspection", "client 0: COMMAND INFO get nosuch", "*0\r\n*-1\r\n",
            "COMMAND INFO of an unknown command: redis-server answers a null bulk string ($-1) in its place, the proxy a null array (*-1)"),
        new("command introspection", "client 0: COMMAND NOSUCH", "*240\r\n*10\r\n",
            "COMMAND with an unknown subcommand: redis-server answers -ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP., the proxy answers the whole COMMAND table"),
    ];

    public static KnownDifference? Find(string diffCase, string reply) =>
        All.FirstOrDefault(k => k.Case == diffCase && k.Reply == reply);
}
