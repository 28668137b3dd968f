using Tessera.Controller.Topology;
using Tessera.Model.Topology;

namespace Tessera.Controller.Rebalance;

/// <summary>
/// Plans a rebalance: shares the assigned slots out by weight (largest remainder, ties to the group that owns
/// more already, so fewer slots move), then moves only each group's surplus to the groups short of their share.
/// Nothing moves that does not have to, so the number of slots moved is the minimum. A group gives away the top
/// end of its slots, and receivers are served in turn from one donor's run before the next, so the moves are
/// few contiguous ranges and every group keeps its slots as runs where it can.
/// </summary>
internal static class RebalancePlanner
{
    /// <summary>The plan for <paramref name="ns"/>; <paramref name="weights"/> per group id (groups left out weigh 1, groups without a master 0).</summary>
    public static RebalancePlan Plan(NamespaceConfig ns, IReadOnlyDictionary<int, double> weights)
    {
        var slots = SlotTable.Expand(ns.Slots);
        var groups = ns.Groups.OrderBy(static g => g.Id).ToList();
        var owned = groups.ToDictionary(static g => g.Id, g => new List<int>());
        var assigned = 0;
        for (var slot = 0; slot < slots.Length; slot++)
        {
            if (slots[slot] is { } owner)
            {
                assigned++;
                if (!owned.TryGetValue(owner.Group, out var list))
                {
                    throw OperationRefusedException.Conflict($"slot {slot} of namespace '{ns.Name}' belongs to group {owner.Group}, which does not exist; fix the slot table first");
                }

                if (owner.State != SlotState.Online)
                {
                    throw OperationRefusedException.Conflict($"slot {slot} of namespace '{ns.Name}' is {owner.State.ToString().ToLowerInvariant()}: rebalance only when every slot is online (wait for the running migration, see `tessera slots migration list {ns.Name}`)");
                }

                list.Add(slot);
            }
        }

        var weightOf = groups.ToDictionary(static g => g.Id, g => g.Master.Length == 0 ? 0 : weights.GetValueOrDefault(g.Id, 1.0));
        var total = weightOf.Values.Sum();
        if (assigned > 0 && total <= 0)
        {
            throw OperationRefusedException.Conflict($"namespace '{ns.Name}' has no group with a master and a weight above 0 to hold its slots");
        }

        var wanted = Shares(groups.Select(static g => g.Id).ToList(), weightOf, owned, assigned, total);
        var moves = Moves(groups.Select(static g => g.Id).ToList(), owned, wanted);
        return new RebalancePlan
        {
            Namespace = ns.Name,
            Epoch = ns.Epoch,
            AssignedSlots = assigned,
            Groups = [.. groups.Select(g => new RebalanceGroup(g.Id, weightOf[g.Id], owned[g.Id].Count, wanted[g.Id]))],
            Moves = moves,
        };
    }

    /// <summary>Largest-remainder shares of <paramref name="assigned"/> slots.</summary>
    private static Dictionary<int, int> Shares(List<int> ids, Dictionary<int, double> weights, Dictionary<int, List<int>> owned, int assigned, double total)
    {
        var wanted = new Dictionary<int, int>();
        if (assigned == 0)
        {
            return ids.ToDictionary(static id => id, static _ => 0);
        }

        var exact = ids.ToDictionary(id => id, id => assigned * weights[id] / total);
        foreach (var id in ids)
        {
            wanted[id] = (int)Math.Floor(exact[id]);
        }

        var left = assigned - wanted.Values.Sum();
        foreach (var id in ids.Where(id => weights[id] > 0)
            .OrderByDescending(id => exact[id] - wanted[id])
            .ThenByDescending(id => owned[id].Count)
            .ThenBy(static id => id)
            .Take(left))
        {
            wanted[id]++;
        }

        return wanted;
    }

    /// <summary>Each donor's surplus, from the top of its slots, handed to the receivers in id order, as merged ranges.</summary>
    private static List<SlotMove> Moves(List<int> ids, Dictionary<int, List<int>> owned, Dictionary<int, int> wanted)
    {
        var need = new Queue<(int Group, int Count)>(ids.Where(id => owned[id].Count < wanted[id]).Select(id => (id, wanted[id] - owned[id].Count)));
        var moves = new List<SlotMove>();
        foreach (var donor in ids.Where(id => owned[id].Count > wanted[id]))
        {
            var give = owned[donor].Skip(wanted[donor]).ToList();
            var index = 0;
            while (index < give.Count)
            {
                var (receiver, count) = need.Dequeue();
                var take = Math.Min(count, give.Count - index);
                AddRanges(moves, give.GetRange(index, take), donor, receiver);
                index += take;
                if (count > take)
                {
                    // The receiver still needs more: it goes first for the next donor.
                    need = new Queue<(int, int)>(need.Prepend((receiver, count - take)));
                }
            }
        }

        return [.. moves.OrderBy(static m => m.From)];
    }

    private static void AddRanges(List<SlotMove> moves, List<int> slots, int source, int target)
    {
        var start = 0;
        for (var i = 1; i <= slots.Count; i++)
        {
            if (i == slots.Count || slots[i] != slots[i - 1] + 1)
            {
                moves.Add(new SlotMove(slots[start], slots[i - 1], source, target));
                start = i;
            }
        }
    }
}
