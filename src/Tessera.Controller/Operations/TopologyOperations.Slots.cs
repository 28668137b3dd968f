using Microsoft.Extensions.Logging;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Controller.Operations;

internal sealed partial class TopologyOperations
{
    /// <summary>The slot table of a namespace: ranges, gaps and slots per group.</summary>
    public async Task<SlotsView> GetSlotsAsync(string name, CancellationToken cancellationToken)
    {
        var ns = await GetNamespaceAsync(name, cancellationToken).ConfigureAwait(false);
        return ViewOf(ns);
    }

    /// <summary>The slot view of a stored namespace.</summary>
    public static SlotsView ViewOf(NamespaceConfig ns)
    {
        var slots = SlotTable.Expand(ns.Slots);
        return new SlotsView
        {
            Namespace = ns.Name,
            Epoch = ns.Epoch,
            Ranges = SlotTable.Compress(slots),
            Unassigned = SlotTable.Unassigned(slots),
            Groups = [.. ns.Groups.OrderBy(static g => g.Id).Select(g => new GroupSlotCount(g.Id, SlotTable.CountOwnedBy(slots, g.Id)))],
        };
    }

    /// <summary>
    /// Gives the unassigned slots <paramref name="from"/>..<paramref name="to"/> to a group that has a master.
    /// Goes through <see cref="Pushes.SlotSwitch"/> like every change of slot ownership; with only unassigned
    /// slots that is one phase, since no proxy routes them yet.
    /// </summary>
    public Task<ChangeResult> AssignSlotsAsync(string name, int from, int to, int groupId, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        if (from < 0 || to >= SlotTable.SlotCount || from > to)
        {
            throw OperationRefusedException.BadRequest(
                $"slots {from}..{to} are not a range within 0..{SlotTable.SlotCount - 1}: give FROM-TO with FROM <= TO, e.g. 0-511");
        }

        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var group = RequireGroup(current.Config, groupId);
                if (group.Master.Length == 0)
                {
                    throw OperationRefusedException.Conflict(
                        $"group {groupId} of namespace '{valid}' has no server yet, so it cannot serve slots: add its master first with `tessera group add {valid} {groupId} host:port`");
                }

                var slots = SlotTable.Expand(current.Config.Slots);
                var taken = new List<string>();
                foreach (var span in SlotTable.Spans(slots, static o => o is not null))
                {
                    var lo = Math.Max(span.From, from);
                    var hi = Math.Min(span.To, to);
                    if (lo <= hi)
                    {
                        var owner = slots[lo]!.Value;
                        taken.Add(lo == hi ? $"{lo} (group {owner.Group})" : $"{lo}..{hi} (group {owner.Group})");
                    }
                }

                if (taken.Count > 0)
                {
                    throw OperationRefusedException.Conflict(
                        $"slots {string.Join(", ", taken.Take(4))}{(taken.Count > 4 ? " and more" : "")} in namespace '{valid}' are already assigned; `slots assign` takes unassigned slots only (see `tessera slots show {valid}`; moving slots between groups is migration)");
                }

                var affected = new bool[SlotTable.SlotCount];
                for (var slot = from; slot <= to; slot++)
                {
                    affected[slot] = true;
                    slots[slot] = new SlotOwner(groupId, SlotState.Online, null);
                }

                var target = current.Config with { Slots = SlotTable.Compress(slots) };
                var change = await _switch.SwitchAsync(current, affected, target, term).ConfigureAwait(false);
                var left = SlotTable.Unassigned(SlotTable.Expand(change.Stored.Config.Slots)).Sum(static s => s.To - s.From + 1);
                var summary = $"slots {from}..{to} of namespace '{valid}' assigned to group {groupId} (epoch {change.Stored.Config.Epoch})"
                    + (left == 0 ? "; every slot is assigned" : $"; {left} slot(s) still unassigned");
                _logger.LogInformation("{Summary}.", summary);
                return Result(change, summary);
            },
            requestAborted);
    }
}
