using Tessera.Resp.Commands;

namespace Tessera.Proxy.Commands;

/// <summary>
/// Which commands count as writes for WAIT: the ones after which Redis advances a client's replication offset.
/// </summary>
/// <remarks>
/// Redis 7.0's table flags data writes with "write" (SET, DEL, BLPOP, FLUSHDB, FUNCTION LOAD...). Scripts and
/// functions carry no such flag although they usually write, so EVAL/EVALSHA/FCALL count as writes (their _RO
/// forms cannot write). PUBLISH and SPUBLISH are propagated to replicas too, so a client's WAIT after them waits
/// for that propagation on Redis as well. Counting a command that ends up writing nothing only makes WAIT ask
/// one more group; missing a write would make WAIT answer too early, so the list errs on the side of writes.
/// </remarks>
internal static class ReplicatedWrites
{
    /// <summary>True when <paramref name="spec"/> may be replicated to the group's replicas.</summary>
    public static bool Includes(CommandSpec spec) =>
        (spec.Flags & CommandFlags.Write) != 0
        || spec.Name is "eval" or "evalsha" or "fcall" or "publish" or "spublish";
}
