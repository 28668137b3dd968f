using Tessera.Controller.Rebalance;
using Tessera.Controller.Topology;
using Tessera.Model.Topology;

namespace Tessera.Controller.Tests.Migration;

/// <summary>The rebalance plan: even shares by weight, the fewest slots moved, contiguous ranges.</summary>
public sealed class RebalancePlannerTests
{
    private static NamespaceConfig Namespace(int groups, params (int From, int To, int Group)[] ranges) => new()
    {
        Name = "ns",
        Epoch = 7,
        Groups = [.. Enumerable.Range(1, groups).Select(g => new GroupConfig { Id = g, Master = $"127.0.0.1:{7000 + g}" })],
        Slots = [.. ranges.Select(r => new SlotRangeConfig { From = r.From, To = r.To, Group = r.Group })],
    };

    private static Dictionary<int, double> NoWeights => [];

    [Fact]
    public void A_new_group_gets_the_top_half_in_one_move()
    {
        var plan = RebalancePlanner.Plan(Namespace(2, (0, 1023, 1)), NoWeights);
        Assert.Equal([new SlotMove(512, 1023, 1, 2)], plan.Moves);
        Assert.Equal(512, plan.SlotsMoved);
        Assert.Equal([new RebalanceGroup(1, 1, 1024, 512), new RebalanceGroup(2, 1, 0, 512)], plan.Groups);
    }

    [Fact]
    public void A_third_group_takes_only_the_surplus_of_each_and_moves_are_minimal()
    {
        var plan = RebalancePlanner.Plan(Namespace(3, (0, 511, 1), (512, 1023, 2)), NoWeights);
        Assert.Equal(683, plan.Groups.Take(2).Sum(g => g.Wanted));
        Assert.Equal(1024, plan.Groups.Sum(g => g.Wanted));
        Assert.All(plan.Groups, g => Assert.InRange(g.Wanted, 341, 342));
        Assert.Equal(plan.Groups[2].Wanted, plan.SlotsMoved);
        Assert.All(plan.Moves, m => Assert.Equal(3, m.Target));
        Assert.Equal(2, plan.Moves.Count);
        Assert.Equal(1023, plan.Moves[^1].To);
        AssertEven(plan, Namespace(3, (0, 511, 1), (512, 1023, 2)));
    }

    [Fact]
    public void Weights_shape_the_shares_and_zero_empties_a_group()
    {
        var ns = Namespace(3, (0, 340, 1), (341, 681, 2), (682, 1023, 3));
        var plan = RebalancePlanner.Plan(ns, new Dictionary<int, double> { [1] = 2, [2] = 1, [3] = 0 });
        Assert.Equal([683, 341, 0], plan.Groups.Select(g => g.Wanted));
        Assert.All(plan.Moves, m => Assert.Equal(3, m.Source));
        Assert.Equal(342, plan.SlotsMoved);
        AssertEven(plan, ns);
    }

    [Fact]
    public void An_even_namespace_needs_no_moves_and_unassigned_slots_stay_out_of_it()
    {
        Assert.Empty(RebalancePlanner.Plan(Namespace(2, (0, 511, 1), (512, 1023, 2)), NoWeights).Moves);
        var partial = RebalancePlanner.Plan(Namespace(2, (0, 99, 1)), NoWeights);
        Assert.Equal(100, partial.AssignedSlots);
        Assert.Equal([new SlotMove(50, 99, 1, 2)], partial.Moves);
    }

    [Fact]
    public void Slots_that_are_not_online_stop_the_plan()
    {
        var ns = Namespace(2, (0, 1023, 1)) with
        {
            Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1, State = SlotState.Migrating, Target = 2 }],
        };
        var refused = Assert.Throws<OperationRefusedException>(() => RebalancePlanner.Plan(ns, NoWeights));
        Assert.Contains("is migrating", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Applying the moves gives every group exactly its wanted count, and no slot moves twice.</summary>
    private static void AssertEven(RebalancePlan plan, NamespaceConfig ns)
    {
        var owner = SlotTable.Expand(ns.Slots).Select(o => o?.Group ?? 0).ToArray();
        var moved = new HashSet<int>();
        foreach (var move in plan.Moves)
        {
            for (var slot = move.From; slot <= move.To; slot++)
            {
                Assert.Equal(move.Source, owner[slot]);
                Assert.True(moved.Add(slot));
                owner[slot] = move.Target;
            }
        }

        foreach (var group in plan.Groups)
        {
            Assert.Equal(group.Wanted, owner.Count(o => o == group.Group));
        }
    }
}
