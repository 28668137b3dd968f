using System.Buffers;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Merging;
using Tessera.Proxy.Routing;
using Tessera.Resp.Commands;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// MGET, MSET, DEL, UNLINK, EXISTS, TOUCH. Keys that all live in one group go as one command, untouched
/// (the common case with hash tags); otherwise one command per group is written straight into each
/// group's connection (values copied once) and a <see cref="SplitOperation"/> merges the replies.
/// </remarks>
internal sealed partial class ClientSession
{
    private readonly List<GroupRoute> _splitGroups = new(4);

    private void RouteMultiKey(RequestFrame frame, CommandSpec spec, MergeKind merge, bool writes, bool replicaReads = false)
    {
        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        var keys = KeyIndexBuffer(frame.Count);
        int keyCount = KeyExtractor.GetKeyIndexes(spec, frame, keys);
        if (keyCount <= 0)
        {
            if (FirstGroup(routes) is { } any)
            {
                Forward(any, frame, writes);
            }

            return;
        }

        // Which groups are involved? Usually one: then forward as is.
        var groups = _splitGroups;
        groups.Clear();
        var slots = SlotBuffer(keyCount);
        int firstMigrating = -1;
        for (int i = 0; i < keyCount; i++)
        {
            int slot = KeySlot.Of(frame.ArgSpan(keys[i]));
            slots[i] = slot;
            if (routes.States[slot] == SlotState.Locked || HoldsSlot(slot))
            {
                Hold(frame, slot);
                return;
            }

            if (routes.Slots[slot] is null)
            {
                ReplyError(SlotNotServed(routes, slot));
                return;
            }

            if (firstMigrating < 0 && routes.States[slot] == SlotState.Migrating)
            {
                firstMigrating = slot;
            }

            var group = EffectiveGroup(routes, slot)!;
            if (!groups.Contains(group))
            {
                groups.Add(group);
            }
        }

        if (firstMigrating >= 0)
        {
            SplitMigrating(routes, frame, keys[..keyCount], slots[..keyCount], merge, groups, firstMigrating, writes);
            return;
        }

        if (groups.Count == 1)
        {
            if (!replicaReads || !TryForwardRead(routes, groups[0], frame))
            {
                Forward(groups[0], frame, writes);
            }

            return;
        }

        var parent = EnqueueReply();
        var operation = new SplitOperation(parent, merge, groups.Count, keyCount);
        for (int p = 0; p < groups.Count; p++)
        {
            var request = operation.PartRequest(p);
            _written.Note(groups[p], writes);
            string? error = null;
            var server = replicaReads ? ReadReplica(routes, groups[p], out error) : null;
            if (error is not null
                || (server is null ? SessionConnection(groups[p].Master, out error) : server.ConnectionFor(Id, Protocol)) is not { } connection
                || !connection.TryBeginWrite(out var writer, out error))
            {
                request.OnFailure(error!, _batch);
                continue;
            }

            try
            {
                // Values are copied once: straight from the client's buffer into the group's connection.
                WriteSplitPart(writer, routes, frame, keys[..keyCount], slots[..keyCount], groups, p, merge, operation);
            }
            finally
            {
                connection.EndWrite(request);
            }

            Touch(connection);
        }
    }

    /// <summary>
    /// Writes part <paramref name="part"/> of a split command: the command name and the keys (with their values
    /// for MSET) that live on <c>groups[part]</c>, recording for MGET where each of the client's keys lands.
    /// </summary>
    private static void WriteSplitPart(IBufferWriter<byte> writer, NamespaceRoutes routes, RequestFrame frame, ReadOnlySpan<int> keys, ReadOnlySpan<int> slots, List<GroupRoute> groups, int part, MergeKind merge, SplitOperation operation)
    {
        // MSET carries each key's value right after it.
        int argsPerKey = merge == MergeKind.AllOk ? 2 : 1;
        var group = groups[part];
        int partKeys = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (ReferenceEquals(EffectiveGroup(routes, slots[i]), group))
            {
                if (merge == MergeKind.ValuesInOrder)
                {
                    operation.MapKey(i, part, partKeys);
                }

                partKeys++;
            }
        }

        RespWriter.WriteArrayHeader(writer, 1 + (partKeys * argsPerKey));
        RespWriter.WriteBulkString(writer, frame.Arg(0));
        for (int i = 0; i < keys.Length; i++)
        {
            if (ReferenceEquals(EffectiveGroup(routes, slots[i]), group))
            {
                for (int a = 0; a < argsPerKey; a++)
                {
                    RespWriter.WriteBulkString(writer, frame.Arg(keys[i] + a));
                }
            }
        }
    }

    private int[] _slots = new int[16];

    private Span<int> SlotBuffer(int count)
    {
        if (_slots.Length < count)
        {
            _slots = new int[Math.Max(count, _slots.Length * 2)];
        }

        return _slots;
    }

    /// <summary>Sends the client's own request to every group's master and merges the replies (PUBSUB, SCRIPT, FUNCTION, KEYS).</summary>
    private void FanOutFrame(NamespaceRoutes routes, RequestFrame frame, MergeKind merge)
    {
        var groups = routes.Groups;
        var parent = EnqueueReply();
        if (groups.Count == 0)
        {
            CompleteError(parent, $"CLUSTERDOWN namespace '{routes.Name}' has no groups", _batch);
            return;
        }

        var operation = new SplitOperation(parent, merge, groups.Count, 0);
        for (int p = 0; p < groups.Count; p++)
        {
            if (FanOutConnection(groups[p].Master, merge, out var error) is not { } connection)
            {
                operation.PartRequest(p).OnFailure(error!, _batch);
                continue;
            }

            connection.Send(frame.Data, operation.PartRequest(p), _batch);
            Touch(connection);
        }
    }

    /// <summary>
    /// The connection a fan-out uses to <paramref name="master"/>: a shared one, except for SCRIPT KILL / FUNCTION KILL,
    /// which go over the session's own (a server running a script reads nothing more from the connection that sent it,
    /// and a shared connection holds later writes behind a reply it still owes, so a KILL there would wait for the
    /// very script it should stop). Null with the refusal when the proxy's limit of such connections is reached.
    /// </summary>
    private BackendConnection? FanOutConnection(BackendServer master, MergeKind merge, out string? error)
    {
        error = null;
        return merge == MergeKind.Kill
            ? TryDedicatedConnection(master, $"ERR the KILL needs a connection of its own to backend {master.Address}, but", out error)
            : master.ConnectionFor(Id, RespProtocol.Resp2);
    }

    /// <summary>Sends <paramref name="command"/> to every group's master and merges the replies (DBSIZE, INFO).</summary>
    private void FanOut(NamespaceRoutes routes, MergeKind merge, string? infoPrefix, params ReadOnlySpan<string> command)
    {
        var groups = routes.Groups;
        var parent = EnqueueReply();
        if (groups.Count == 0)
        {
            CompleteError(parent, $"CLUSTERDOWN namespace '{routes.Name}' has no groups", _batch);
            return;
        }

        var operation = new SplitOperation(parent, merge, groups.Count, 0, infoPrefix);
        for (int p = 0; p < groups.Count; p++)
        {
            // RESP2 always: the merges below read RESP2 replies (INFO as a bulk string).
            var connection = groups[p].Master.ConnectionFor(Id, RespProtocol.Resp2);
            var request = operation.PartRequest(p);
            if (!connection.TryBeginWrite(out var writer, out var error))
            {
                request.OnFailure(error!, _batch);
                continue;
            }

            try
            {
                RespWriter.WriteCommand(writer, command);
            }
            finally
            {
                connection.EndWrite(request);
            }

            Touch(connection);
        }
    }
}
