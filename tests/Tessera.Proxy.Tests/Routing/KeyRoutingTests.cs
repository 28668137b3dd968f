using System.Text;
using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Stats;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Commands;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Routing;

/// <summary>
/// KeyRouting alone, against routes built by RoutingState from a namespace document (no server is contacted:
/// backend connections open on first use). Slots: 0-511 group 1, 512-767 group 2, 768-799 migrating from
/// group 2 to group 3, 800-899 locked on group 3, 900-1023 unassigned.
/// </summary>
public sealed class KeyRoutingTests : IAsyncLifetime
{
    private readonly BackendPool _pool = new(new ProxyOptions(), TimeProvider.System, new ProxyStats());
    private readonly NamespaceRoutes _routes;

    public KeyRoutingTests()
    {
        var state = new RoutingState(_pool);
        state.Apply(new TopologyConfig
        {
            Epoch = 7,
            Namespaces =
            [
                new NamespaceConfig
                {
                    Name = "app",
                    Groups =
                    [
                        new GroupConfig { Id = 1, Master = "127.0.0.1:1" },
                        new GroupConfig { Id = 2, Master = "127.0.0.1:2" },
                        new GroupConfig { Id = 3, Master = "127.0.0.1:3" },
                    ],
                    Slots =
                    [
                        new SlotRangeConfig { From = 0, To = 511, Group = 1 },
                        new SlotRangeConfig { From = 512, To = 767, Group = 2 },
                        new SlotRangeConfig { From = 768, To = 799, Group = 2, State = SlotState.Migrating, Target = 3 },
                        new SlotRangeConfig { From = 800, To = 899, Group = 3, State = SlotState.Locked },
                    ],
                },
            ],
        });
        _routes = state.Current.Find("app")!;
    }

    [Fact]
    public void A_key_goes_to_the_group_that_owns_its_slot()
    {
        string key = KeyIn(0, 511);
        var route = Route("GET", key);
        Assert.Equal(RouteKind.Group, route.Kind);
        Assert.Equal(KeySlot.Of(Encoding.UTF8.GetBytes(key)), route.Slot);
        Assert.Equal(1, route.Group!.Id);
        Assert.Null(route.Target);

        Assert.Equal(2, Route("GET", KeyIn(512, 767)).Group!.Id);
    }

    [Fact]
    public void Keys_of_one_slot_route_together_and_keys_of_two_slots_are_crossslot()
    {
        // Hash tags put different keys in one slot, as on Redis Cluster.
        var together = Route("MSETNX", "{user:1}:a", "1", "{user:1}:b", "2");
        Assert.Equal(RouteKind.Group, together.Kind);
        Assert.Equal(KeySlot.Of("user:1"u8), together.Slot);

        string first = KeyIn(0, 511), second = KeyIn(512, 767);
        var apart = Route("MSETNX", first, "1", second, "2");
        Assert.Equal(RouteKind.CrossSlot, apart.Kind);
        Assert.Equal(-1, apart.Slot);
        Assert.Equal("CROSSSLOT Keys in request don't hash to the same slot", KeyRouting.CrossSlotError);
    }

    [Fact]
    public void A_request_without_keys_is_for_any_group()
    {
        var route = Route("EVAL", "return 1", "0");
        Assert.Equal(RouteKind.NoKeys, route.Kind);
        Assert.Equal(-1, route.Slot);
        Assert.Null(route.Group);
    }

    [Fact]
    public void A_migrating_slot_names_its_source_and_its_target()
    {
        var route = Route("SET", KeyIn(768, 799), "v");
        Assert.Equal(RouteKind.Migrating, route.Kind);
        Assert.Equal(2, route.Group!.Id);
        Assert.Equal(3, route.Target!.Id);
    }

    [Fact]
    public void A_locked_slot_holds_and_an_unassigned_slot_is_not_served()
    {
        var locked = Route("GET", KeyIn(800, 899));
        Assert.Equal(RouteKind.Locked, locked.Kind);
        Assert.InRange(locked.Slot, 800, 899);

        var unassigned = Route("GET", KeyIn(900, 1023));
        Assert.Equal(RouteKind.NotServed, unassigned.Kind);
        Assert.InRange(unassigned.Slot, 900, 1023);
        Assert.Null(unassigned.Group);
    }

    [Fact]
    public void SlotOf_tells_no_key_one_slot_and_different_slots_apart()
    {
        var frame = Frames.Parse("DEL", KeyIn(0, 511), KeyIn(512, 767));
        Assert.Equal(-1, KeyRouting.SlotOf(frame, []));
        Assert.Equal(KeySlot.Of(frame.ArgSpan(1)), KeyRouting.SlotOf(frame, [1]));
        Assert.Equal(KeyRouting.CrossSlots, KeyRouting.SlotOf(frame, [1, 2]));
        Assert.Equal(KeySlot.Of(frame.ArgSpan(2)), KeyRouting.SlotOf(frame, [2, 2]));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _pool.DisposeAsync().AsTask();

    /// <summary>Routes a command the way the session does: key positions from the command table, then KeyRouting.</summary>
    private RouteDecision Route(params string[] args)
    {
        var frame = Frames.Parse(args);
        var spec = CommandTable.Default.Resolve(frame)!;
        var keys = new int[frame.Count];
        int count = Math.Max(0, KeyExtractor.GetKeyIndexes(spec, frame, keys));
        return KeyRouting.Route(_routes, frame, keys.AsSpan(0, count));
    }

    /// <summary>A key whose slot is in [<paramref name="from"/>, <paramref name="to"/>].</summary>
    private static string KeyIn(int from, int to)
    {
        for (int i = 0; ; i++)
        {
            string key = "key:" + i;
            int slot = KeySlot.Of(Encoding.UTF8.GetBytes(key));
            if (slot >= from && slot <= to)
            {
                return key;
            }
        }
    }
}
