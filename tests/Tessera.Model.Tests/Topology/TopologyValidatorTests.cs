using Tessera.Model.Topology;

namespace Tessera.Model.Tests.Topology;

/// <summary>What a proxy refuses to serve, each refusal with the text an operator reads.</summary>
public sealed class TopologyValidatorTests
{
    [Theory]
    [InlineData("127.0.0.1:6379", true, "127.0.0.1", 6379)]
    [InlineData("redis-a.internal:7000", true, "redis-a.internal", 7000)]
    [InlineData("[::1]:6379", true, "::1", 6379)]
    [InlineData("::1:6379", false, "", 0)]
    [InlineData("127.0.0.1", false, "", 0)]
    [InlineData("127.0.0.1:", false, "", 0)]
    [InlineData(":6379", false, "", 0)]
    [InlineData("127.0.0.1:0", false, "", 0)]
    [InlineData("127.0.0.1:65536", false, "", 0)]
    [InlineData("127.0.0.1:+80", false, "", 0)]
    [InlineData("my host:80", false, "", 0)]
    [InlineData("", false, "", 0)]
    public void TryParseHostPort_accepts_only_host_colon_port(string text, bool ok, string host, int port)
    {
        Assert.Equal(ok, TopologyValidator.TryParseHostPort(text, out var parsedHost, out var parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Fact]
    public void A_file_topology_serving_every_slot_is_valid()
    {
        Assert.Empty(TopologyValidator.Validate(Topology(Namespace())));
    }

    [Fact]
    public void Controller_routes_may_leave_slots_unassigned_and_groups_without_servers()
    {
        var ns = Namespace() with
        {
            Groups = [.. Namespace().Groups, new GroupConfig { Id = 3, Master = "" }],
            Slots = [new SlotRangeConfig { From = 0, To = 99, Group = 1 }],
        };

        Assert.Empty(TopologyValidator.Validate(Topology(ns), requireAllSlots: false));
        Assert.Equal(["namespace 'shop': slots 100..1023 are not assigned to any group; every slot 0..1023 needs an owner"], TopologyValidator.Validate(Topology(ns)));
    }

    [Fact]
    public void Migrating_and_locked_ranges_and_ipv6_servers_are_valid()
    {
        var ns = Namespace() with
        {
            Groups = [new GroupConfig { Id = 1, Master = "[::1]:7001", Replicas = ["[::1]:7002"] }, new GroupConfig { Id = 2, Master = "redis-b:7003" }],
            Slots =
            [
                new SlotRangeConfig { From = 0, To = 9, Group = 1, State = SlotState.Migrating, Target = 2 },
                new SlotRangeConfig { From = 10, To = 19, Group = 1, State = SlotState.Locked },
                new SlotRangeConfig { From = 20, To = 1023, Group = 2 },
            ],
        };

        Assert.Empty(TopologyValidator.Validate(Topology(ns)));
    }

    [Fact]
    public void A_negative_epoch_and_no_namespaces_are_refused()
    {
        Assert.Equal(
            ["epoch is -1; it must be 0 or more", "no namespaces are defined: add at least one (e.g. 'default')"],
            TopologyValidator.Validate(new TopologyConfig { Epoch = -1 }));
    }

    [Fact]
    public void Namespace_names_must_be_unique_and_without_spaces()
    {
        var again = Namespace() with { Groups = [new GroupConfig { Id = 1, Master = "127.0.0.1:8001" }, new GroupConfig { Id = 2, Master = "127.0.0.1:8003" }] };

        Assert.Equal(["namespace 'shop' is defined twice"], TopologyValidator.Validate(Topology(Namespace(), again)));
        Assert.Equal(["namespace 'my shop': the name must not contain spaces"], TopologyValidator.Validate(Topology(Namespace("my shop"))));
    }

    [Fact]
    public void Group_ids_must_be_positive_and_unique()
    {
        var zero = Namespace() with { Groups = [.. Namespace().Groups, new GroupConfig { Id = 0, Master = "127.0.0.1:7009" }] };
        var twice = Namespace() with { Groups = [.. Namespace().Groups, new GroupConfig { Id = 2, Master = "127.0.0.1:7009" }] };

        Assert.Equal(["namespace 'shop': group id 0 is not allowed; ids are positive integers"], TopologyValidator.Validate(Topology(zero)));
        Assert.Equal(["namespace 'shop': group id 2 is defined twice; group ids must be unique"], TopologyValidator.Validate(Topology(twice)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("::1:7001")]
    [InlineData("my host:7001")]
    public void Servers_must_be_host_colon_port(string bad)
    {
        var master = WithGroup1(new GroupConfig { Id = 1, Master = bad, Replicas = ["127.0.0.1:7002"] });
        var replica = WithGroup1(new GroupConfig { Id = 1, Master = "127.0.0.1:7001", Replicas = [bad] });

        Assert.Equal([$"namespace 'shop', group 1: master '{bad}' is not host:port (e.g. 127.0.0.1:6379, port 1..65535)"], TopologyValidator.Validate(Topology(master)));
        Assert.Equal([$"namespace 'shop', group 1: replica '{bad}' is not host:port (e.g. 127.0.0.1:6379, port 1..65535)"], TopologyValidator.Validate(Topology(replica)));
    }

    [Fact]
    public void A_server_belongs_to_one_group_only()
    {
        var listedTwice = WithGroup1(new GroupConfig { Id = 1, Master = "127.0.0.1:7001", Replicas = ["127.0.0.1:7002", "127.0.0.1:7002"] });
        var twoGroups = Namespace() with
        {
            Groups = [new GroupConfig { Id = 1, Master = "127.0.0.1:7001" }, new GroupConfig { Id = 2, Master = "127.0.0.1:7003", Replicas = ["127.0.0.1:7001"] }],
        };
        var twoNamespaces = Topology(Namespace(), Namespace("cart"));

        Assert.Equal(["namespace 'shop', group 1: server 127.0.0.1:7002 is listed twice"], TopologyValidator.Validate(Topology(listedTwice)));
        Assert.Equal(
            ["server 127.0.0.1:7001 is in namespace 'shop', group 1 and in namespace 'shop', group 2; a server belongs to one group only"],
            TopologyValidator.Validate(Topology(twoGroups)));
        Assert.Equal(
            [
                "server 127.0.0.1:7001 is in namespace 'shop', group 1 and in namespace 'cart', group 1; a server belongs to one group only",
                "server 127.0.0.1:7002 is in namespace 'shop', group 1 and in namespace 'cart', group 1; a server belongs to one group only",
                "server 127.0.0.1:7003 is in namespace 'shop', group 2 and in namespace 'cart', group 2; a server belongs to one group only",
            ],
            TopologyValidator.Validate(twoNamespaces));
    }

    [Fact]
    public void Slot_ranges_must_be_ordered_within_the_table_and_name_a_group()
    {
        Assert.Contains(
            "namespace 'shop': slot range 600..511 is reversed; 'from' must not be greater than 'to'",
            TopologyValidator.Validate(Topology(WithSlots(Range(0, 511, 1), Range(600, 511, 2), Range(512, 1023, 2)))));
        Assert.Equal(
            ["namespace 'shop': slot range 512..1024 is outside 0..1023"],
            TopologyValidator.Validate(Topology(WithSlots(Range(0, 511, 1), Range(512, 1023, 2), Range(512, 1024, 2)))));
        Assert.Equal(
            ["namespace 'shop': slot range 512..1023 names group 9, which is not defined in this namespace"],
            TopologyValidator.Validate(Topology(WithSlots(Range(0, 511, 1), Range(512, 1023, 9)))));
    }

    [Fact]
    public void Overlapping_ranges_are_named_by_the_ranges_that_collide()
    {
        Assert.Equal(
            ["namespace 'shop': slot range 500..600 (group 2) overlaps slot range 0..511 (group 1)"],
            TopologyValidator.Validate(Topology(WithSlots(Range(0, 511, 1), Range(500, 600, 2), Range(601, 1023, 2)))));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var ns = WithSlots(Range(0, 99, 1), Range(900, 800, 2)) with { Groups = [new GroupConfig { Id = 1, Master = "nope" }] };

        Assert.Equal(
            [
                "namespace 'shop', group 1: master 'nope' is not host:port (e.g. 127.0.0.1:6379, port 1..65535)",
                "namespace 'shop': slot range 900..800 is reversed; 'from' must not be greater than 'to'",
                "namespace 'shop': slots 100..1023 are not assigned to any group; every slot 0..1023 needs an owner",
            ],
            TopologyValidator.Validate(Topology(ns)));
    }

    private static TopologyConfig Topology(params NamespaceConfig[] namespaces) => new() { Epoch = 1, Namespaces = namespaces };

    private static NamespaceConfig Namespace(string name = "shop") => new()
    {
        Name = name,
        Groups =
        [
            new GroupConfig { Id = 1, Master = "127.0.0.1:7001", Replicas = ["127.0.0.1:7002"] },
            new GroupConfig { Id = 2, Master = "127.0.0.1:7003" },
        ],
        Slots = [Range(0, 511, 1), Range(512, 1023, 2)],
    };

    private static NamespaceConfig WithGroup1(GroupConfig group) => Namespace() with { Groups = [group, Namespace().Groups[1]] };

    private static NamespaceConfig WithSlots(params SlotRangeConfig[] slots) => Namespace() with { Slots = slots };

    private static SlotRangeConfig Range(int from, int to, int group) => new() { From = from, To = to, Group = group };
}
