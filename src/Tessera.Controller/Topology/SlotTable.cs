using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Controller.Topology;

/// <summary>
/// Conversions between the stored form of a slot table (ranges) and one entry per slot, which makes every
/// check and change a plain loop over 1024 entries; <see cref="Compress"/> turns it back into the fewest
/// sorted ranges, so equal tables always store (and sign) alike.
/// </summary>
internal static class SlotTable
{
    public const int SlotCount = TopologyValidator.SlotCount;

    /// <summary>One entry per slot; null where no range covers it.</summary>
    public static SlotOwner?[] Expand(IReadOnlyList<SlotRangeConfig> ranges)
    {
        var slots = new SlotOwner?[SlotCount];
        foreach (var range in ranges)
        {
            for (var slot = Math.Max(0, range.From); slot <= Math.Min(SlotCount - 1, range.To); slot++)
            {
                slots[slot] = new SlotOwner(range.Group, range.State, range.Target);
            }
        }

        return slots;
    }

    /// <summary>Sorted ranges, adjacent slots with the same owner merged.</summary>
    public static IReadOnlyList<SlotRangeConfig> Compress(SlotOwner?[] slots)
    {
        var ranges = new List<SlotRangeConfig>();
        var slot = 0;
        while (slot < SlotCount)
        {
            if (slots[slot] is not { } owner)
            {
                slot++;
                continue;
            }

            var from = slot;
            while (slot + 1 < SlotCount && slots[slot + 1] == owner)
            {
                slot++;
            }

            ranges.Add(new SlotRangeConfig { From = from, To = slot, Group = owner.Group, State = owner.State, Target = owner.Target });
            slot++;
        }

        return ranges;
    }

    /// <summary>Runs of slots that no group serves.</summary>
    public static IReadOnlyList<SlotSpan> Unassigned(SlotOwner?[] slots) => Spans(slots, static owner => owner is null);

    /// <summary>Runs of slots for which <paramref name="match"/> holds.</summary>
    public static IReadOnlyList<SlotSpan> Spans(SlotOwner?[] slots, Func<SlotOwner?, bool> match)
    {
        var spans = new List<SlotSpan>();
        var slot = 0;
        while (slot < SlotCount)
        {
            if (!match(slots[slot]))
            {
                slot++;
                continue;
            }

            var from = slot;
            while (slot + 1 < SlotCount && match(slots[slot + 1]))
            {
                slot++;
            }

            spans.Add(new SlotSpan(from, slot));
            slot++;
        }

        return spans;
    }

    /// <summary>Slots that name <paramref name="group"/> as owner or as migration target.</summary>
    public static int CountInvolving(SlotOwner?[] slots, int group)
    {
        var count = 0;
        foreach (var owner in slots)
        {
            if (owner is { } o && (o.Group == group || o.Target == group))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Slots owned by <paramref name="group"/>.</summary>
    public static int CountOwnedBy(SlotOwner?[] slots, int group)
    {
        var count = 0;
        foreach (var owner in slots)
        {
            if (owner is { } o && o.Group == group)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>"0..99, 200..299" (with "and N more" past a few) for messages.</summary>
    public static string Describe(IReadOnlyList<SlotSpan> spans)
    {
        const int Shown = 4;
        var parts = spans.Take(Shown).Select(static s => s.From == s.To ? $"{s.From}" : $"{s.From}..{s.To}");
        var text = string.Join(", ", parts);
        return spans.Count > Shown ? $"{text} and {spans.Count - Shown} more range(s)" : text;
    }
}
