using System.Collections.Frozen;
using Tessera.Resp.Commands;

namespace Tessera.Proxy.Commands;

/// <summary>
/// Decides, for every command of the generated table, how the proxy treats it. Key positions and
/// flags come from the table (Redis's own metadata); this class only holds the proxy's behaviour:
/// which commands it answers itself, which it splits, and which it refuses and why.
/// </summary>
public sealed class CommandPolicies
{
    private static readonly FrozenDictionary<string, LocalCommand> LocalCommands = new Dictionary<string, LocalCommand>
    {
        ["ping"] = LocalCommand.Ping,
        ["echo"] = LocalCommand.Echo,
        ["quit"] = LocalCommand.Quit,
        ["hello"] = LocalCommand.Hello,
        ["auth"] = LocalCommand.Auth,
        ["select"] = LocalCommand.Select,
        ["time"] = LocalCommand.Time,
        ["info"] = LocalCommand.Info,
        ["dbsize"] = LocalCommand.DbSize,
        ["command"] = LocalCommand.Command,
        ["command|count"] = LocalCommand.CommandCount,
        ["command|info"] = LocalCommand.CommandInfo,
        ["command|docs"] = LocalCommand.CommandDocs,
        ["command|list"] = LocalCommand.CommandList,
        ["command|getkeys"] = LocalCommand.CommandGetKeys,
        ["command|getkeysandflags"] = LocalCommand.CommandGetKeysAndFlags,
        ["client|setname"] = LocalCommand.ClientSetName,
        ["client|getname"] = LocalCommand.ClientGetName,
        ["client|id"] = LocalCommand.ClientId,
        ["client|setinfo"] = LocalCommand.ClientSetInfo,
        ["client|info"] = LocalCommand.ClientInfo,
        ["client|no-evict"] = LocalCommand.ClientNoEvict,
        ["client|reply"] = LocalCommand.ClientReply,
        ["client|tracking"] = LocalCommand.ClientTracking,
        ["client|caching"] = LocalCommand.ClientCaching,
        ["client|getredir"] = LocalCommand.ClientGetRedir,
        ["client|trackinginfo"] = LocalCommand.ClientTrackingInfo,
        ["reset"] = LocalCommand.Reset,
        ["cluster|slots"] = LocalCommand.Cluster,
        ["cluster|shards"] = LocalCommand.Cluster,
        ["cluster|nodes"] = LocalCommand.Cluster,
        ["cluster|info"] = LocalCommand.Cluster,
        ["cluster|myid"] = LocalCommand.Cluster,
        ["cluster|keyslot"] = LocalCommand.Cluster,
        ["asking"] = LocalCommand.Asking,
        ["readonly"] = LocalCommand.ReadOnly,
        ["readwrite"] = LocalCommand.ReadWrite,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, MergeKind> SplitCommands = new Dictionary<string, MergeKind>
    {
        ["mget"] = MergeKind.ValuesInOrder,
        ["mset"] = MergeKind.AllOk,
        ["del"] = MergeKind.SumIntegers,
        ["unlink"] = MergeKind.SumIntegers,
        ["exists"] = MergeKind.SumIntegers,
        ["touch"] = MergeKind.SumIntegers,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Why CLUSTER and ASKING are refused: always for the CLUSTER subcommands that change a cluster, for all of them with the cluster face off.</summary>
    internal const string NotACluster = "Tessera is not a Redis Cluster; clients talk to it as to one standalone server";

    /// <summary>The refusal of CLUSTER … or ASKING named <paramref name="display"/> by a proxy whose cluster face is off.</summary>
    internal static string ClusterRefusal(string display) => Refuse(display, NotACluster).Refusal!;

    private static readonly FrozenDictionary<string, string> Refusals = new Dictionary<string, string>
    {
        ["script|debug"] = "script debugging needs a direct connection to one redis-server",
        ["migrate"] = "moving keys behind the proxy would break routing; use `tessera slots migrate`",
        ["move"] = "Tessera serves database 0 only",
        ["swapdb"] = "Tessera serves database 0 only",
        ["cluster"] = NotACluster,
        ["monitor"] = "MONITOR would watch one backend only; it is not supported through the proxy",
        ["sync"] = "replication through the proxy is not supported; replicate from the group masters",
        ["psync"] = "replication through the proxy is not supported; replicate from the group masters",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Commands sent to every group's master, and how their replies merge.</summary>
    private static readonly FrozenDictionary<string, MergeKind> FanOutCommands = new Dictionary<string, MergeKind>
    {
        ["keys"] = MergeKind.UnionArrays,
        ["randomkey"] = MergeKind.RandomNonNull,
        ["flushdb"] = MergeKind.FirstReply,
        ["flushall"] = MergeKind.FirstReply,
        ["script|load"] = MergeKind.FirstReply,
        ["script|exists"] = MergeKind.AllFlags,
        ["script|kill"] = MergeKind.Kill,
        ["script|flush"] = MergeKind.FirstReply,
        ["function|load"] = MergeKind.FirstReply,
        ["function|delete"] = MergeKind.FirstReply,
        ["function|flush"] = MergeKind.FirstReply,
        ["function|kill"] = MergeKind.Kill,
        ["function|restore"] = MergeKind.FirstReply,
        ["function|list"] = MergeKind.FirstReply,
        ["function|dump"] = MergeKind.FirstReply,
        ["function|stats"] = MergeKind.FirstReply,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly Dictionary<CommandSpec, CommandPolicy> _policies = new(ReferenceEqualityComparer.Instance);

    internal CommandPolicies(CommandTable table)
    {
        Table = table;
        foreach (var command in table.Commands)
        {
            Add(command);
            foreach (var sub in command.Subcommands)
            {
                Add(sub);
            }
        }
    }

    internal CommandTable Table { get; }

    /// <summary>The policy of <paramref name="spec"/> (a command or a subcommand from <see cref="Table"/>).</summary>
    internal CommandPolicy Get(CommandSpec spec) => _policies[spec];

    /// <summary>How many policies there are: every <see cref="CommandPolicy.Ordinal"/> is below this.</summary>
    internal int Count => _policies.Count;

    private void Add(CommandSpec spec) => _policies[spec] = Decide(spec) with
    {
        Ordinal = _policies.Count,
        Writes = ReplicatedWrites.Includes(spec),
        Acl = AclMask.Of(spec),
        ReplicaReads = (spec.Flags & CommandFlags.ReadOnly) != 0 && !ReplicatedWrites.Includes(spec),
    };

    internal static CommandPolicy Decide(CommandSpec spec)
    {
        string name = spec.Name;
        string display = spec.DisplayName;
        if (LocalCommands.TryGetValue(name, out var local))
        {
            return new CommandPolicy(CommandKind.Local, local);
        }

        if (name is "multi" or "exec" or "discard" or "watch" or "unwatch")
        {
            return new CommandPolicy(CommandKind.Transaction);
        }

        if (name == "scan")
        {
            return new CommandPolicy(CommandKind.Scan);
        }

        if (name == "wait")
        {
            return new CommandPolicy(CommandKind.Wait);
        }

        if (FanOutCommands.TryGetValue(name, out var fanOut))
        {
            return new CommandPolicy(CommandKind.FanOut, Merge: fanOut);
        }

        if (SplitCommands.TryGetValue(name, out var merge))
        {
            return new CommandPolicy(CommandKind.MultiKey, Merge: merge);
        }

        string root = spec.Parent?.Name ?? name;
        if (Refusals.TryGetValue(name, out var reason) || Refusals.TryGetValue(root, out reason))
        {
            return Refuse(display, reason);
        }

        if (spec.HasSubcommands)
        {
            // Reached only when the subcommand was unknown: answer like Redis does.
            return new CommandPolicy(CommandKind.Local, LocalCommand.UnknownSubcommand);
        }

        if (name.EndsWith("|help", StringComparison.Ordinal))
        {
            return new CommandPolicy(CommandKind.AnyGroup);
        }

        if (name is "xread" or "xreadgroup")
        {
            return new CommandPolicy(CommandKind.KeyedUnlessBlocking);
        }

        if ((spec.Flags & CommandFlags.Blocking) != 0)
        {
            return new CommandPolicy(CommandKind.Blocking);
        }

        if ((spec.Flags & CommandFlags.PubSub) != 0)
        {
            return new CommandPolicy(CommandKind.PubSub);
        }

        if (spec.HasKeys)
        {
            return new CommandPolicy(CommandKind.Keyed);
        }

        if ((spec.Flags & CommandFlags.Admin) != 0)
        {
            return Refuse(display, "administrative commands would reach one backend only; run it on the redis-server processes directly");
        }

        return Refuse(display, "it has no key to route by, so the proxy cannot tell which group should run it");
    }

    /// <summary>
    /// How the proxy treats every command and subcommand of the generated table, in table order, for the
    /// compatibility page (docs/commands.md): the command's display name, a support level, and a note
    /// (the refusal reason, or how it is routed).
    /// </summary>
    public static IReadOnlyList<(string Command, string Support, string Note)> Describe()
    {
        var rows = new List<(string, string, string)>();
        foreach (var command in CommandTable.Default.Commands)
        {
            rows.Add(Row(command));
            foreach (var sub in command.Subcommands.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                rows.Add(Row(sub));
            }
        }

        return rows;
    }

    private static (string, string, string) Row(CommandSpec spec)
    {
        var policy = Decide(spec);
        return policy.Kind switch
        {
            CommandKind.Keyed => (spec.DisplayName, "supported, keys in one slot", spec.Name is "eval" or "evalsha" or "eval_ro" or "evalsha_ro" or "fcall" or "fcall_ro"
                ? "routed by the slot of its keys (all in one slot); with no keys it runs on the group that owns the lowest assigned slot; load scripts with SCRIPT LOAD / FUNCTION LOAD, which reach every group"
                : "routed by the slot of its keys; keys in different slots get -CROSSSLOT"),
            CommandKind.KeyedUnlessBlocking => (spec.DisplayName, "supported, keys in one slot", "routed by the slot of its keys"),
            CommandKind.MultiKey => (spec.DisplayName, "split across groups", "keys are grouped per group and the replies merged"),
            CommandKind.Local => (spec.DisplayName, "answered by the proxy", LocalNote(policy.Local)),
            CommandKind.AnyGroup => (spec.DisplayName, "supported", "keyless; answered by any group"),
            CommandKind.Blocking => (spec.DisplayName, "supported, keys in one slot", "blocks on a connection of its own; the client's later commands wait, as on Redis"),
            CommandKind.Transaction => (spec.DisplayName, "supported, keys in one slot", "the whole transaction runs on one group over a connection of its own; keys must share a slot"),
            CommandKind.PubSub => (spec.DisplayName, "supported", "channels are routed by their slot; patterns subscribe on every group"),
            CommandKind.FanOut => (spec.DisplayName, "supported, on every group", FanOutNote(spec.Name)),
            CommandKind.Scan => (spec.DisplayName, "supported, on every group", "the cursor walks the groups one after another; valid while the topology is stable"),
            CommandKind.Wait => (spec.DisplayName, "supported", "counts the replicas that have every write of the client: once its earlier replies are in, asks the master of each group it wrote to (every group when it wrote nothing) over a connection of its own and answers the smallest count; its later commands wait, as on Redis; refused inside MULTI"),
            _ => (spec.DisplayName, "refused", policy.Refusal ?? ""),
        };
    }

    private static string FanOutNote(string name) => name switch
    {
        "flushdb" or "flushall" => "erases every group of the namespace; refused unless the namespace sets allowFlush",
        "script|kill" or "function|kill" => "sent to every master of the namespace over the session's own connections (a shared one may wait behind the running script); OK when one killed its script, else -UNKILLABLE or -BUSY passed through, else -NOTBUSY",
        _ => "runs on every group's master and the replies are merged",
    };

    private static string LocalNote(LocalCommand command) => command switch
    {
        LocalCommand.UnknownSubcommand => "unknown subcommands are refused as Redis does",
        LocalCommand.ClientTracking => "client-side caching: the session gets its own RESP3 connection to each group master it reads from (to every master with BCAST), with tracking on there; needs RESP3 (HELLO 3); invalidations arrive as RESP3 pushes, or via REDIRECT to another client of the same proxy (RESP3, or RESP2 subscribed to __redis__:invalidate); a null invalidation (flush everything) follows any lost tracking connection or route change; these connections count against maxDedicatedConnections",
        LocalCommand.Cluster => "with the cluster face on (tessera proxy --cluster-face), answered as by a Redis Cluster whose 16384 slots are divided among the live proxies (every proxy serves every key, so no MOVED or ASK is ever sent; KEYSLOT is Redis Cluster's CRC16 slot); with it off, refused as by a standalone server",
        LocalCommand.Asking => "OK with the cluster face on (tessera proxy --cluster-face); refused with it off",
        LocalCommand.ClientCaching => "OPTIN/OPTOUT: sent to the server right before the next command",
        LocalCommand.Info => "the proxy's own sections (server, clients, stats, proxy) and keyspace summed over the namespace's groups; all, default and everything mean these; sections that describe one redis-server (memory, replication, persistence, commandstats, ...) are empty here: see tessera status or the server itself",
        _ => "",
    };

    private static CommandPolicy Refuse(string display, string reason) =>
        new(CommandKind.Refused, Refusal: $"ERR {display} is not supported through Tessera: {reason}");
}
