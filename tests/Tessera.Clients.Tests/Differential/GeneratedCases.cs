using System.Globalization;
using Tessera.Resp.Commands;

namespace Tessera.Clients.Tests.Differential;

/// <summary>
/// Cases made from the command table, so a command added to the table is covered without a hand-written case:
/// every command and subcommand with a wrong arity (one argument fewer than its minimum, or one more than its
/// fixed count), and with the fewest arguments its arity allows (placeholders that all share the hash tag {g}).
/// </summary>
public static class GeneratedCases
{
    /// <summary>
    /// Commands not run with valid arity, each with its reason. (With a wrong arity nothing runs, so every command is
    /// sent that way.) Names as in the table: "container|sub" for subcommands.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotRunWithValidArity = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["debug"] = "DEBUG can crash, stall or reconfigure the plain server",
        ["shutdown"] = "stops the server",
        ["flushall"] = "the harness empties the servers itself; the proxy's refusal is a hand-written case",
        ["flushdb"] = "as FLUSHALL",
        ["save"] = "writes an RDB file; slow and unrelated to routing",
        ["bgsave"] = "as SAVE, in the background",
        ["bgrewriteaof"] = "as SAVE, for the AOF",
        ["monitor"] = "turns the connection into a monitor stream",
        ["sync"] = "turns the plain server's connection into a replication stream",
        ["psync"] = "as SYNC",
        ["replicaof"] = "would make the plain server a replica",
        ["slaveof"] = "as REPLICAOF",
        ["failover"] = "would change the plain server's role",
        ["client|kill"] = "kills connections, maybe the harness's own",
        ["client|pause"] = "stops the plain server answering",
        ["quit"] = "closes the connection; the hand-written case \"connection state\" sends it and reads the close",
        ["subscribe"] = "changes the connection's mode; pub/sub has hand-written cases",
        ["psubscribe"] = "as SUBSCRIBE",
        ["ssubscribe"] = "as SUBSCRIBE",
        ["cluster|slots"] = "answered only with the cluster face on (the plain server has cluster support off); its refusal with the face off and its shape next to a real cluster node are tested in Tessera.Proxy.Tests' ClusterFaceTests",
        ["cluster|shards"] = "as CLUSTER SLOTS",
        ["cluster|nodes"] = "as CLUSTER SLOTS",
        ["cluster|info"] = "as CLUSTER SLOTS",
        ["cluster|myid"] = "as CLUSTER SLOTS",
        ["cluster|keyslot"] = "as CLUSTER SLOTS",
        ["asking"] = "as CLUSTER SLOTS",
    };

    /// <summary>
    /// Commands whose valid-arity reply differs by nature between two servers: server ids, clocks and statistics are
    /// compared by shape; lists in a server's hash-table order are compared unordered.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Normalise> Normalisations = new Dictionary<string, Normalise>(StringComparer.Ordinal)
    {
        ["hello"] = Normalise.Shape,
        ["time"] = Normalise.Shape,
        ["lastsave"] = Normalise.Shape,
        ["client|id"] = Normalise.Shape,
        ["client|info"] = Normalise.Shape,
        ["client|list"] = Normalise.Shape,
        ["info"] = Normalise.Shape,
        ["memory|stats"] = Normalise.Shape,
        ["memory|doctor"] = Normalise.Shape,
        ["command"] = Normalise.Unordered,
        ["command|info"] = Normalise.Unordered,
        ["command|list"] = Normalise.Unordered,
        ["command|docs"] = Normalise.Unordered,
    };

    public static IEnumerable<DiffCase> WrongArity()
    {
        foreach (var spec in Specs())
        {
            int count = spec.Arity > 0 ? spec.Arity + 1 : -spec.Arity - 1;
            int named = spec.Parent is null ? 1 : 2;
            if (count >= named)
            {
                yield return new DiffCase($"wrong arity: {spec.DisplayName} with {count} argument(s)", [Step.Call(0, Invocation(spec, count))]);
            }
        }
    }

    public static IEnumerable<DiffCase> ValidArity()
    {
        foreach (var spec in Specs())
        {
            if (NotRunWithValidArity.ContainsKey(spec.Name) || (spec.Parent is { } parent && NotRunWithValidArity.ContainsKey(parent.Name)) ||
                (spec.Flags & CommandFlags.Blocking) != 0)
            {
                continue;
            }

            var step = Step.Call(0, Invocation(spec, Math.Abs(spec.Arity)));
            yield return new DiffCase($"valid arity: {spec.DisplayName}", [step.Normalised(Normalisations.GetValueOrDefault(spec.Name))]);
        }
    }

    private static IEnumerable<CommandSpec> Specs() =>
        CommandTable.Default.Commands.SelectMany(c => c.Subcommands.Prepend(c));

    /// <summary>The command's name (and subcommand's), then placeholders "{g}2", "{g}3"... up to <paramref name="count"/> arguments.</summary>
    private static string[] Invocation(CommandSpec spec, int count)
    {
        var args = spec.Name.Split('|').Select(n => n.ToUpperInvariant()).ToList();
        for (int i = args.Count; i < count; i++)
        {
            args.Add("{g}" + i.ToString(CultureInfo.InvariantCulture));
        }

        return [.. args.Take(count)];
    }
}
