using Tessera.Controller.Failover;
using Tessera.Controller.Servers;

namespace Tessera.Controller.Tests.Failover;

/// <summary>The replica choice in Redis Sentinel's order, and INFO parsing, as pure logic.</summary>
public sealed class ReplicaSelectionTests
{
    private const string Master = "127.0.0.1:7001";
    private static readonly TimeSpan MaxLinkDown = TimeSpan.FromSeconds(30);

    [Fact]
    public void Lowest_priority_wins_then_largest_offset_then_smallest_run_id()
    {
        var choice = ReplicaSelection.Choose(
            [
                Replica("a:1", priority: 100, offset: 900, runId: "b"),
                Replica("a:2", priority: 50, offset: 100, runId: "z"),
                Replica("a:3", priority: 100, offset: 1000, runId: "c"),
                Replica("a:4", priority: 100, offset: 1000, runId: "a"),
            ],
            Master,
            MaxLinkDown);

        Assert.Equal(["a:2", "a:4", "a:3", "a:1"], choice.Ranked.Select(static r => r.Address));
        Assert.Empty(choice.Excluded);
    }

    [Fact]
    public void Unusable_replicas_are_left_out_with_a_reason()
    {
        var choice = ReplicaSelection.Choose(
            [
                new ReplicaCandidate("down:1", ProbeResult.Failed("Connection refused")),
                Replica("zero:1", priority: 0, offset: 5000, runId: "a"),
                Replica("other:1", priority: 100, offset: 5000, runId: "a") with { Probe = Probe(100, 5000, "a") with { ReplicaOf = "127.0.0.1:9999" } },
                new ReplicaCandidate("master:1", new ProbeResult(true, null) { Role = "master", Offset = 9000 }),
                new ReplicaCandidate("syncing:1", Probe(100, 0, "a") with { SyncInProgress = true }),
                new ReplicaCandidate("never:1", Probe(100, 0, "a") with { LinkUp = false, LinkDownSeconds = -1 }),
                new ReplicaCandidate("stale:1", Probe(100, 4000, "a") with { LinkUp = false, LinkDownSeconds = 31 }),
                new ReplicaCandidate("recent:1", Probe(100, 10, "a") with { LinkUp = false, LinkDownSeconds = 3 }),
            ],
            Master,
            MaxLinkDown);

        Assert.Equal(["recent:1"], choice.Ranked.Select(static r => r.Address));
        var reasons = choice.Excluded.ToDictionary(static e => e.Address, static e => e.Reason);
        Assert.Contains("does not answer (Connection refused)", reasons["down:1"], StringComparison.Ordinal);
        Assert.Contains("replica-priority 0", reasons["zero:1"], StringComparison.Ordinal);
        Assert.Contains("replicates from 127.0.0.1:9999", reasons["other:1"], StringComparison.Ordinal);
        Assert.Contains("is not a replica", reasons["master:1"], StringComparison.Ordinal);
        Assert.Contains("first full copy", reasons["syncing:1"], StringComparison.Ordinal);
        Assert.Contains("not been in sync", reasons["never:1"], StringComparison.Ordinal);
        Assert.Contains("31 s ago", reasons["stale:1"], StringComparison.Ordinal);
    }

    [Fact]
    public void No_usable_replica_is_described()
    {
        Assert.Equal("the group has no replicas", ReplicaSelection.Choose([], Master, MaxLinkDown).DescribeExcluded());
        var choice = ReplicaSelection.Choose([new ReplicaCandidate("x:1", null)], Master, MaxLinkDown);
        Assert.Null(choice.Best);
        Assert.Equal("x:1 does not answer (not probed)", choice.DescribeExcluded());
    }

    [Theory]
    [InlineData("127.0.0.1:7001", "127.0.0.1:7001", true)]
    [InlineData("127.0.0.1:7001", "redis-a:7001", true)]
    [InlineData("127.0.0.1:7001", "127.0.0.2:7001", false)]
    [InlineData("127.0.0.1:7002", "127.0.0.1:7001", false)]
    [InlineData(null, "127.0.0.1:7001", false)]
    public void Same_server_tolerates_a_host_name_for_an_ip(string? reported, string configured, bool same) =>
        Assert.Equal(same, ServerIdentity.SameServer(reported, configured));

    [Fact]
    public void Info_of_a_replica_and_of_a_master_parse()
    {
        var replica = ProbeResult.Parse("# Server\r\nrun_id:abc\r\n# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\nmaster_link_status:down\r\n"
            + "master_sync_in_progress:0\r\nslave_repl_offset:1234\r\nmaster_link_down_since_seconds:7\r\nslave_priority:10\r\n");
        Assert.Equal(("replica", "127.0.0.1:7001", false, 7L, 1234L, 10, "abc"), (replica.Role, replica.ReplicaOf, replica.LinkUp, replica.LinkDownSeconds, replica.Offset, replica.Priority, replica.RunId));
        var master = ProbeResult.Parse("run_id:def\r\nrole:master\r\nconnected_slaves:1\r\nmaster_repl_offset:99\r\n");
        Assert.Equal(("master", 99L, (int?)null), (master.Role, master.Offset, master.Priority));
    }

    private static ReplicaCandidate Replica(string address, int priority, long offset, string runId) => new(address, Probe(priority, offset, runId));

    private static ProbeResult Probe(int priority, long offset, string runId) => new(true, null)
    {
        Role = "replica",
        ReplicaOf = Master,
        LinkUp = true,
        Offset = offset,
        Priority = priority,
        RunId = runId,
    };
}
