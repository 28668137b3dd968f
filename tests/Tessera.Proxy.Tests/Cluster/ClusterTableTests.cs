using Tessera.Proxy.Cluster;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Cluster;

/// <summary>How the cluster face divides the 16384 Redis Cluster slots among proxies, and its key slots.</summary>
public sealed class ClusterTableTests
{
    private static ClusterMember Member(int i) => ClusterMember.From($"127.0.0.1:{19000 + i}-abc{i:000}", $"127.0.0.1:{19000 + i}", i)!;

    private static int[] OwnerOfEverySlot(ClusterTable table)
    {
        var owners = Enumerable.Repeat(-1, ClusterKeySlot.Count).ToArray();
        foreach (var range in table.Ranges)
        {
            for (int slot = range.From; slot <= range.To; slot++)
            {
                Assert.Equal(-1, owners[slot]);
                owners[slot] = table.Nodes[range.Node].Port;
            }
        }

        return owners;
    }

    [Fact]
    public void Every_slot_has_one_owner_and_the_table_does_not_depend_on_the_order_proxies_are_listed_in()
    {
        var members = Enumerable.Range(1, 5).Select(Member).ToArray();
        var table = ClusterTable.Build(members, members[0]);
        Assert.DoesNotContain(-1, OwnerOfEverySlot(table));
        Assert.Equal(OwnerOfEverySlot(table), OwnerOfEverySlot(ClusterTable.Build(members.Reverse(), members[3])));
        Assert.Equal(members.Select(m => m.NodeId).Order(StringComparer.Ordinal), table.Nodes.Select(n => n.NodeId));
        Assert.Equal(5, table.CurrentEpoch);

        // Ranges are maximal: two adjacent ranges never have the same owner.
        Assert.All(table.Ranges.Zip(table.Ranges.Skip(1)), pair => Assert.NotEqual(pair.First.Node, pair.Second.Node));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void A_proxy_joining_takes_slots_only_for_itself_and_one_leaving_moves_only_its_own(int count)
    {
        var members = Enumerable.Range(1, count).Select(Member).ToList();
        var before = OwnerOfEverySlot(ClusterTable.Build(members, null));

        var joined = OwnerOfEverySlot(ClusterTable.Build([.. members, Member(99)], null));
        int moved = 0;
        for (int slot = 0; slot < before.Length; slot++)
        {
            if (joined[slot] != before[slot])
            {
                Assert.Equal(19099, joined[slot]);
                moved++;
            }
        }

        // About 1/(count+1) of the slots move to the newcomer, and only to it.
        Assert.InRange(moved, ClusterKeySlot.Count / (count + 1) / 3, ClusterKeySlot.Count * 2 / (count + 1));

        var left = OwnerOfEverySlot(ClusterTable.Build(members.Skip(1), null));
        for (int slot = 0; slot < before.Length; slot++)
        {
            if (before[slot] != members[0].Port)
            {
                Assert.Equal(before[slot], left[slot]);
            }
            else
            {
                Assert.NotEqual(members[0].Port, left[slot]);
            }
        }
    }

    [Fact]
    public void Shares_stay_near_an_even_split()
    {
        var members = Enumerable.Range(1, 3).Select(Member).ToArray();
        var owners = OwnerOfEverySlot(ClusterTable.Build(members, null));
        foreach (var member in members)
        {
            int share = owners.Count(o => o == member.Port);
            Assert.InRange(share, ClusterKeySlot.Count / 3 / 2, ClusterKeySlot.Count / 3 * 3 / 2);
        }
    }

    [Fact]
    public void Node_ids_are_40_hex_digits_derived_from_the_registration()
    {
        string id = ClusterMember.NodeIdOf("127.0.0.1:19000-a1b2c3");
        Assert.Matches("^[0-9a-f]{40}$", id);
        Assert.Equal(id, ClusterMember.NodeIdOf("127.0.0.1:19000-a1b2c3"));
        Assert.NotEqual(id, ClusterMember.NodeIdOf("127.0.0.1:19000-a1b2c4"));
        Assert.Equal(("::1", 6379), (ClusterMember.From("x", "[::1]:6379", 0)!.Host, ClusterMember.From("x", "[::1]:6379", 0)!.Port));
        Assert.Null(ClusterMember.From("x", "nohost", 0));
    }

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)]
    [InlineData("123456789", 0x31C3 & 16383)]
    public void Cluster_key_slots_are_redis_clusters_crc16(string key, int slot) =>
        Assert.Equal(slot, ClusterKeySlot.Of(System.Text.Encoding.UTF8.GetBytes(key)));
}
