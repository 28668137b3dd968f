using Tessera.Model.Topology;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Routing;

/// <summary>What <see cref="KeyRouting.Route"/> decided for a single-slot request.</summary>
internal enum RouteKind : byte
{
    /// <summary>Send it to <see cref="RouteDecision.Group"/>'s master.</summary>
    Group,

    /// <summary>The request names no key (EVAL with numkeys 0, or arguments Redis will reject): any group answers alike.</summary>
    NoKeys,

    /// <summary>Its keys hash to different slots: answer <see cref="KeyRouting.CrossSlotError"/>.</summary>
    CrossSlot,

    /// <summary>The slot is locked for a topology change: hold the request until routes change.</summary>
    Locked,

    /// <summary>No group serves the slot.</summary>
    NotServed,

    /// <summary>The slot is moving from <see cref="RouteDecision.Group"/> to <see cref="RouteDecision.Target"/> (architecture §4).</summary>
    Migrating,
}

/// <summary>
/// A routing decision: the slot of a request's keys and where it goes. A struct, made per command without
/// allocating. <see cref="Slot"/> is -1 for <see cref="RouteKind.NoKeys"/> and <see cref="RouteKind.CrossSlot"/>.
/// </summary>
internal readonly record struct RouteDecision(RouteKind Kind, int Slot, GroupRoute? Group, GroupRoute? Target)
{
    public static RouteDecision NoKeys => new(RouteKind.NoKeys, -1, null, null);

    public static RouteDecision CrossSlot => new(RouteKind.CrossSlot, -1, null, null);
}

/// <summary>
/// Turns a parsed request and its key positions into a <see cref="RouteDecision"/> against one namespace's
/// routes (architecture §2): every key must hash to one slot (as on Redis Cluster), and the slot's state says
/// whether the request goes to its group, waits (locked), or follows a migration. Pure: the caller adds what
/// depends on the session (requests it already holds for the slot, transactions bound to a group).
/// </summary>
internal static class KeyRouting
{
    /// <summary>Redis Cluster's answer to keys in different slots, byte for byte.</summary>
    public const string CrossSlotError = "CROSSSLOT Keys in request don't hash to the same slot";

    /// <summary>A value of <see cref="SlotOf"/>: the keys hash to different slots.</summary>
    public const int CrossSlots = -2;

    /// <summary>The slot every key at <paramref name="keys"/> hashes to; -1 when there is no key, <see cref="CrossSlots"/> when they differ.</summary>
    public static int SlotOf(RequestFrame frame, ReadOnlySpan<int> keys)
    {
        if (keys.IsEmpty)
        {
            return -1;
        }

        int slot = KeySlot.Of(frame.ArgSpan(keys[0]));
        for (int i = 1; i < keys.Length; i++)
        {
            if (KeySlot.Of(frame.ArgSpan(keys[i])) != slot)
            {
                return CrossSlots;
            }
        }

        return slot;
    }

    /// <summary>Where a single-slot request with its keys at <paramref name="keys"/> goes in <paramref name="routes"/>.</summary>
    public static RouteDecision Route(NamespaceRoutes routes, RequestFrame frame, ReadOnlySpan<int> keys) =>
        SlotOf(frame, keys) switch
        {
            -1 => RouteDecision.NoKeys,
            CrossSlots => RouteDecision.CrossSlot,
            int slot => RouteSlot(routes, slot),
        };

    /// <summary>Where a request for <paramref name="slot"/> goes in <paramref name="routes"/>.</summary>
    public static RouteDecision RouteSlot(NamespaceRoutes routes, int slot)
    {
        var state = routes.States[slot];
        if (state == SlotState.Locked)
        {
            return new RouteDecision(RouteKind.Locked, slot, routes.Slots[slot], null);
        }

        if (routes.Slots[slot] is not { } group)
        {
            return new RouteDecision(RouteKind.NotServed, slot, null, null);
        }

        return state == SlotState.Migrating && routes.Targets[slot] is { } target
            ? new RouteDecision(RouteKind.Migrating, slot, group, target)
            : new RouteDecision(RouteKind.Group, slot, group, null);
    }
}
