using System.Buffers;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Merging;
using Tessera.Proxy.Migration;
using Tessera.Proxy.Routing;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>Commands whose keys are in migrating slots: MIGRATE the keys first, then run the command on the target group.</remarks>
internal sealed partial class ClientSession
{
    /// <summary>A single-slot command on a migrating slot: MIGRATE its keys from <paramref name="source"/> to <paramref name="target"/>, then run it there.</summary>
    private void ForwardMigrating(GroupRoute source, GroupRoute target, RequestFrame frame, ReadOnlySpan<int> keys, int slot, bool writes)
    {
        var reply = EnqueueReply();
        _written.Note(source, writes);
        _written.Note(target, writes);
        var gate = new MigrationGate(reply, slot);
        gate.ThenSend(MigratingConnection(target.Master), frame.Data.ToArray(), reply);
        var sourceConnection = source.Master.ConnectionFor(Id, Protocol);
        gate.Migrate(sourceConnection, target.Master.Address, DistinctKeys(frame, keys), _context.Options.MigrateTimeout, _batch);
        Touch(sourceConnection);
        gate.Commit(_batch);
    }

    /// <summary>
    /// A split command (MGET, DEL...) with keys in migrating slots: each key counts for its slot's target
    /// group; keys of migrating slots are moved first (one MIGRATE per source/target pair), then the parts go out.
    /// </summary>
    private void SplitMigrating(NamespaceRoutes routes, RequestFrame frame, ReadOnlySpan<int> keys, ReadOnlySpan<int> slots, MergeKind merge, List<GroupRoute> groups, int firstMigratingSlot, bool writes)
    {
        int keyCount = keys.Length;
        var parent = EnqueueReply();
        var gate = new MigrationGate(parent, firstMigratingSlot);
        if (groups.Count == 1)
        {
            gate.ThenSend(MigratingConnection(groups[0].Master), frame.Data.ToArray(), parent);
            _written.Note(groups[0], writes);
        }
        else
        {
            var operation = new SplitOperation(parent, merge, groups.Count, keyCount);
            for (int p = 0; p < groups.Count; p++)
            {
                var part = new ArrayBufferWriter<byte>();
                WriteSplitPart(part, routes, frame, keys, slots, groups, p, merge, operation);
                gate.ThenSend(MigratingConnection(groups[p].Master), part.WrittenSpan.ToArray(), operation.PartRequest(p));
                _written.Note(groups[p], writes);
            }
        }

        // One MIGRATE per (source, target) pair, with every migrating key between them.
        var pairs = new Dictionary<(GroupRoute Source, GroupRoute Target), List<byte[]>>();
        for (int i = 0; i < keyCount; i++)
        {
            if (routes.States[slots[i]] == Model.Topology.SlotState.Migrating && routes.Targets[slots[i]] is { } target && routes.Slots[slots[i]] is { } source)
            {
                if (!pairs.TryGetValue((source, target), out var list))
                {
                    pairs[(source, target)] = list = [];
                }

                list.Add(frame.ArgSpan(keys[i]).ToArray());
            }
        }

        foreach (var ((source, target), pairKeys) in pairs)
        {
            _written.Note(source, writes);
            _written.Note(target, writes);
            var sourceConnection = source.Master.ConnectionFor(Id, Protocol);
            gate.Migrate(sourceConnection, target.Master.Address, pairKeys, _context.Options.MigrateTimeout, _batch);
            Touch(sourceConnection);
        }

        gate.Commit(_batch);
    }

    /// <summary>Where a key of <paramref name="slot"/> lives now: the target group while the slot migrates.</summary>
    private static GroupRoute? EffectiveGroup(NamespaceRoutes routes, int slot) =>
        routes.States[slot] == Model.Topology.SlotState.Migrating && routes.Targets[slot] is { } target ? target : routes.Slots[slot];

    private static List<byte[]> DistinctKeys(RequestFrame frame, ReadOnlySpan<int> keys)
    {
        var result = new List<byte[]>(keys.Length);
        foreach (int index in keys)
        {
            var key = frame.ArgSpan(index);
            bool seen = false;
            foreach (var existing in result)
            {
                if (key.SequenceEqual(existing))
                {
                    seen = true;
                    break;
                }
            }

            if (!seen)
            {
                result.Add(key.ToArray());
            }
        }

        return result;
    }
}
