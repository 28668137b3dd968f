namespace Tessera.Proxy.Cluster;

/// <summary>
/// What the cluster face answers: the live proxies (sorted by node id) and the 16384 Redis Cluster slots divided among
/// them as contiguous ranges. Immutable; <see cref="ClusterFace"/> swaps in a new one when proxies join or leave.
/// </summary>
/// <remarks>
/// <para>
/// Division: the slots are cut into <see cref="Chunks"/> fixed chunks of <see cref="ChunkSize"/> slots, and each chunk
/// goes to the member with the highest score for it (rendezvous, or highest-random-weight, hashing; the score is a
/// hash of the node id and the chunk number, so it needs nothing but the set of node ids). Every proxy that sees the
/// same members computes the same table. Why rendezvous and not "sort and divide evenly": dividing evenly moves
/// almost every range when a proxy joins or leaves (each boundary shifts), so every client's whole slot map changes;
/// with rendezvous a joining proxy takes only the chunks it now scores highest on (about 1/n of them, from every
/// other proxy) and a leaving proxy's chunks alone move, spread over the rest; the others' chunks stay where they are.
/// The price is balance: shares vary by a few chunks around 1/n.
/// </para>
/// <para>
/// Every proxy serves every key (it routes by its own slot table), so which proxy a client picks for a slot is only
/// load spreading: a client with a stale table still gets right answers, and no MOVED or ASK is ever needed.
/// </para>
/// </remarks>
internal sealed class ClusterTable
{
    /// <summary>Fixed chunks the 16384 slots are cut into (each goes whole to one proxy).</summary>
    public const int Chunks = 128;

    /// <summary>Slots per chunk.</summary>
    public const int ChunkSize = Tessera.Resp.Keys.ClusterKeySlot.Count / Chunks;

    private ClusterTable(IReadOnlyList<ClusterMember> nodes, IReadOnlyList<SlotRange> ranges, ClusterMember? self)
    {
        Nodes = nodes;
        Ranges = ranges;
        Self = self;
        foreach (var node in nodes)
        {
            CurrentEpoch = Math.Max(CurrentEpoch, node.Epoch);
        }
    }

    /// <summary>The members, sorted by node id.</summary>
    public IReadOnlyList<ClusterMember> Nodes { get; }

    /// <summary>Slot ranges in slot order; adjacent chunks of one member are one range.</summary>
    public IReadOnlyList<SlotRange> Ranges { get; }

    /// <summary>This proxy, when it is in the table (not while it is leaving).</summary>
    public ClusterMember? Self { get; }

    /// <summary>The highest config epoch of the members (CLUSTER INFO's cluster_current_epoch).</summary>
    public long CurrentEpoch { get; }

    /// <summary>The table for <paramref name="members"/> (any order; duplicates by node id are dropped), as seen by <paramref name="self"/>.</summary>
    public static ClusterTable Build(IEnumerable<ClusterMember> members, ClusterMember? self)
    {
        var nodes = members.DistinctBy(static m => m.NodeId).OrderBy(static m => m.NodeId, StringComparer.Ordinal).ToArray();
        var ranges = new List<SlotRange>();
        if (nodes.Length > 0)
        {
            var keys = Array.ConvertAll(nodes, static n => Fnv1a(n.NodeId));
            for (int chunk = 0; chunk < Chunks; chunk++)
            {
                int owner = 0;
                ulong best = 0;
                for (int i = 0; i < nodes.Length; i++)
                {
                    // Ties (vanishingly rare) go to the lower node id, which is the earlier index.
                    ulong score = Mix(keys[i] ^ ((ulong)(chunk + 1) * 0x9E3779B97F4A7C15UL));
                    if (i == 0 || score > best)
                    {
                        best = score;
                        owner = i;
                    }
                }

                int from = chunk * ChunkSize;
                if (ranges.Count > 0 && ranges[^1].Node == owner)
                {
                    ranges[^1] = ranges[^1] with { To = from + ChunkSize - 1 };
                }
                else
                {
                    ranges.Add(new SlotRange(from, from + ChunkSize - 1, owner));
                }
            }
        }

        var me = self is null ? null : Array.Find(nodes, n => n.NodeId == self.NodeId);
        return new ClusterTable(nodes, ranges, me);
    }

    /// <summary>The ranges of member <paramref name="node"/> (an index into <see cref="Nodes"/>), in slot order.</summary>
    public IEnumerable<SlotRange> RangesOf(int node) => Ranges.Where(r => r.Node == node);

    /// <summary>FNV-1a over the node id's characters (ASCII hex): a stable 64-bit key, the same in every process.</summary>
    private static ulong Fnv1a(string text)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return hash;
    }

    /// <summary>SplitMix64's finaliser: spreads the bits of node key and chunk number over the whole score.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Slots <see cref="From"/>..<see cref="To"/> (inclusive) answered as served by member <see cref="Node"/>.</summary>
internal readonly record struct SlotRange(int From, int To, int Node);
