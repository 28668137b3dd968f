namespace Tessera.Proxy.Commands;

/// <summary>How the proxy handles a command.</summary>
internal enum CommandKind
{
    /// <summary>Routed by the slot of its keys; all keys must share a slot.</summary>
    Keyed,

    /// <summary>Like <see cref="Keyed"/>, but refused when it asks to block (XREAD/XREADGROUP with BLOCK).</summary>
    KeyedUnlessBlocking,

    /// <summary>MGET/MSET/DEL/UNLINK/EXISTS/TOUCH: split per group and merged.</summary>
    MultiKey,

    /// <summary>Answered by the proxy itself (PING, HELLO, COMMAND, INFO...).</summary>
    Local,

    /// <summary>Keyless and harmless: sent to any group (HELP subcommands).</summary>
    AnyGroup,

    /// <summary>Blocking commands (BLPOP...): sent on a dedicated connection; the session waits for the reply.</summary>
    Blocking,

    /// <summary>MULTI, EXEC, DISCARD, WATCH, UNWATCH: a transaction on a dedicated connection.</summary>
    Transaction,

    /// <summary>Pub/sub: subscriptions on dedicated connections, PUBLISH routed by the channel's slot, PUBSUB merged.</summary>
    PubSub,

    /// <summary>Whole-keyspace and every-group commands (SCAN, KEYS, RANDOMKEY, SCRIPT, FUNCTION).</summary>
    FanOut,

    /// <summary>SCAN: a cursor that walks every group in turn.</summary>
    Scan,

    /// <summary>WAIT: asked of every group the client wrote to, over connections opened for it (see Sessions/Wait/SessionWait.cs).</summary>
    Wait,

    /// <summary>Refused with <see cref="CommandPolicy.Refusal"/>.</summary>
    Refused,
}

/// <summary>Proxy-side commands, answered without a backend or by fanning out to every group.</summary>
internal enum LocalCommand
{
    None,
    Ping,
    Echo,
    Quit,
    Hello,
    Auth,
    Select,
    Time,
    Info,
    DbSize,
    Command,
    CommandCount,
    CommandInfo,
    CommandDocs,
    CommandList,
    CommandGetKeys,
    CommandGetKeysAndFlags,
    ClientSetName,
    ClientGetName,
    ClientId,
    ClientSetInfo,
    ClientInfo,
    ClientNoEvict,
    ClientReply,
    ClientTracking,
    ClientCaching,
    ClientGetRedir,
    ClientTrackingInfo,
    Reset,
    ReadOnly,
    ReadWrite,

    /// <summary>CLUSTER SLOTS/SHARDS/NODES/INFO/MYID/KEYSLOT: the cluster face (refused when it is off).</summary>
    Cluster,

    /// <summary>ASKING: OK with the cluster face on.</summary>
    Asking,
    UnknownSubcommand,
}

/// <summary>How split parts of a multi-key command are merged.</summary>
internal enum MergeKind
{
    None,

    /// <summary>MGET: values in the client's key order.</summary>
    ValuesInOrder,

    /// <summary>MSET: OK only when every part answered OK.</summary>
    AllOk,

    /// <summary>DEL, UNLINK, EXISTS, TOUCH, DBSIZE: integers summed.</summary>
    SumIntegers,

    /// <summary>INFO: the proxy's own sections, then the groups' keyspace lines summed.</summary>
    InfoKeyspace,

    /// <summary>PUBSUB CHANNELS, KEYS: the arrays of every group, concatenated without duplicates.</summary>
    UnionArrays,

    /// <summary>PUBSUB NUMSUB: name/count pairs, counts summed per name.</summary>
    SumPairs,

    /// <summary>PUBSUB NUMPAT: the largest integer.</summary>
    MaxInteger,

    /// <summary>SCRIPT LOAD, FUNCTION LOAD/DELETE/FLUSH, SCRIPT FLUSH: the first group's reply, when every group agrees it succeeded.</summary>
    FirstReply,

    /// <summary>SCRIPT EXISTS: per position, 1 only when every group has the script.</summary>
    AllFlags,

    /// <summary>RANDOMKEY: a random reply among the groups that have keys (nil when none has).</summary>
    RandomNonNull,

    /// <summary>
    /// SCRIPT KILL, FUNCTION KILL: OK when any master killed its script; otherwise an -UNKILLABLE part, then a -BUSY one
    /// (the other kind of script runs), then any other error, and -NOTBUSY only when every master answered it. The one
    /// merge that reads error parts itself (every other merge answers the first error part).
    /// </summary>
    Kill,
}

/// <summary>The proxy's decision for one command or subcommand, made once at startup from the command table.</summary>
internal sealed record CommandPolicy(CommandKind Kind, LocalCommand Local = LocalCommand.None, MergeKind Merge = MergeKind.None, string? Refusal = null)
{
    /// <summary>
    /// True when the command can change data that replicas receive (see <see cref="ReplicatedWrites"/>): the groups
    /// it reaches are the ones a later WAIT must ask.
    /// </summary>
    public bool Writes { get; init; }

    /// <summary>
    /// True for the command table's read-only commands: where the namespace's read mode (or the connection's READONLY)
    /// allows, a single-slot one may go to a fresh replica (architecture §10). The router adds the rest of the rules
    /// (outside MULTI and tracking, online slots only, read-your-writes).
    /// </summary>
    public bool ReplicaReads { get; init; }

    /// <summary>The policy's place in the table (0 … <see cref="CommandPolicies.Count"/> - 1), for per-command arrays.</summary>
    public int Ordinal { get; init; }

    /// <summary>The command's permission bits (<see cref="AclMask"/>): a session refuses it when its denied mask shares one.</summary>
    public ulong Acl { get; init; }
}
