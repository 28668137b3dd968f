using Microsoft.Extensions.Time.Testing;
using Tessera.Controller.Health;
using Tessera.Controller.Servers;

namespace Tessera.Controller.Tests.Health;

/// <summary>
/// The health verdicts of one server in its role, on a clock the test moves: watches are fed probe results by hand
/// (<see cref="ServerWatch.Record"/>) and never started, so no server and no waiting is involved.
/// </summary>
public sealed class ServerVerdictTests : IDisposable
{
    private const string Master = "127.0.0.1:7001";
    private const string Replica = "127.0.0.1:7002";

    private static readonly HealthOptions Options = new() { ProbeInterval = TimeSpan.FromSeconds(1), DownAfter = TimeSpan.FromSeconds(3), ReplicaLagThreshold = 1000 };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Tessera.Controller.Metrics.ControllerMetrics _metrics = new();

    [Fact]
    public void A_server_not_watched_or_not_probed_yet_is_unknown()
    {
        Assert.Equal(new ServerVerdict(ServerHealthStates.Unknown, "not probed yet", null), ServerVerdict.Judge("master", null, Master, null, Options));
        Assert.Equal(new ServerVerdict(ServerHealthStates.Unknown, "not probed yet", null), ServerVerdict.Judge("master", Watch(Master), Master, null, Options));
    }

    [Fact]
    public void A_master_that_says_it_is_a_master_is_up()
    {
        var master = Watch(Master, MasterProbe(offset: 10));

        var verdict = ServerVerdict.Judge("master", master, Master, master, Options);

        Assert.Equal(new ServerVerdict(ServerHealthStates.Up, null, null), verdict);
        Assert.False(verdict.ServesReads("master"));
    }

    [Fact]
    public void A_master_that_says_it_is_a_replica_has_the_wrong_role()
    {
        var master = Watch(Master, ReplicaProbe("127.0.0.1:7009", offset: 0));

        Assert.Equal(
            new ServerVerdict(ServerHealthStates.WrongRole, "it says it is a replica of 127.0.0.1:7009, not a master", null),
            ServerVerdict.Judge("master", master, Master, master, Options));
    }

    [Fact]
    public void A_failed_probe_is_suspect_until_down_after_has_passed_with_two_failures()
    {
        var watch = Watch(Master, MasterProbe(offset: 0));
        Fail(watch, "connection refused");
        _time.Advance(TimeSpan.FromSeconds(3));

        // One failure is not evidence enough, however long the silence.
        Assert.Equal(
            new ServerVerdict(ServerHealthStates.Suspect, "its last probe failed (connection refused); down after 3 s of silence", null),
            ServerVerdict.Judge("master", watch, Master, watch, Options));

        Fail(watch, "connection refused");
        Assert.Equal(
            new ServerVerdict(ServerHealthStates.Down, "no answer for 3.0 s (connection refused)", null),
            ServerVerdict.Judge("master", watch, Master, watch, Options));
    }

    [Fact]
    public void Two_failures_inside_down_after_are_suspect_and_a_good_answer_ends_it()
    {
        var watch = Watch(Master, MasterProbe(offset: 0));
        Fail(watch, "timeout");
        _time.Advance(TimeSpan.FromSeconds(2.9));
        Fail(watch, "timeout");

        Assert.Equal(ServerHealthStates.Suspect, ServerVerdict.Judge("master", watch, Master, watch, Options).Health);

        watch.Record(MasterProbe(offset: 1), _time.GetTimestamp());
        Assert.Equal(ServerHealthStates.Up, ServerVerdict.Judge("master", watch, Master, watch, Options).Health);
    }

    [Fact]
    public void A_master_answering_busy_past_down_after_is_busy_never_down_and_keeps_its_last_facts()
    {
        var watch = Watch(Master, MasterProbe(offset: 42));
        for (int i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            watch.Record(ProbeResult.BusyAnswer(), _time.GetTimestamp());
        }

        Assert.False(watch.IsDown);
        Assert.Equal(new ServerVerdict(ServerHealthStates.Busy, ProbeResult.BusyProblem, null), ServerVerdict.Judge("master", watch, Master, watch, Options));
        Assert.Equal(("master", 42L), (watch.State.LastAnswer!.Role, watch.State.LastAnswer.Offset));

        watch.Record(MasterProbe(offset: 43), _time.GetTimestamp());
        Assert.Equal(ServerHealthStates.Up, ServerVerdict.Judge("master", watch, Master, watch, Options).Health);
    }

    [Fact]
    public void Discounted_failures_count_again_from_zero()
    {
        var watch = Watch(Master, MasterProbe(offset: 0));
        Fail(watch, "timeout");
        Fail(watch, "timeout");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(watch.IsDown);

        // This process stalled: the failures may be its own fault, so one fresh failure is not enough.
        watch.Discount();
        Fail(watch, "timeout");
        Assert.False(watch.IsDown);
        Fail(watch, "timeout");
        Assert.True(watch.IsDown);
    }

    [Fact]
    public void A_server_that_never_answered_is_unknown_with_its_problem()
    {
        var watch = Watch(Replica);
        Fail(watch, "connection refused");

        Assert.Equal(new ServerVerdict(ServerHealthStates.Unknown, "connection refused", null), ServerVerdict.Judge("replica", watch, Master, null, Options));
    }

    [Fact]
    public void A_linked_replica_within_the_lag_threshold_is_up_and_serves_reads()
    {
        var master = Watch(Master, MasterProbe(offset: 5000));
        var replica = Watch(Replica, ReplicaProbe(Master, offset: 4500));

        var verdict = ServerVerdict.Judge("replica", replica, Master, master, Options);

        Assert.Equal(new ServerVerdict(ServerHealthStates.Up, null, 500), verdict);
        Assert.True(verdict.ServesReads("replica"));
    }

    [Fact]
    public void A_replica_further_behind_than_the_threshold_lags_and_serves_no_reads()
    {
        var master = Watch(Master, MasterProbe(offset: 5000));
        var replica = Watch(Replica, ReplicaProbe(Master, offset: 3000));

        var verdict = ServerVerdict.Judge("replica", replica, Master, master, Options);

        Assert.Equal(new ServerVerdict(ServerHealthStates.Lagging, "it is 2000 bytes behind the master (threshold 1000)", 2000), verdict);
        Assert.False(verdict.ServesReads("replica"));
    }

    [Fact]
    public void A_replica_without_a_master_answer_is_up_with_no_lag_known()
    {
        var replica = Watch(Replica, ReplicaProbe(Master, offset: 3000));

        Assert.Equal(new ServerVerdict(ServerHealthStates.Up, null, null), ServerVerdict.Judge("replica", replica, Master, Watch(Master), Options));
    }

    [Theory]
    [InlineData("role:master\r\n", "it says it is a master, not a replica of 127.0.0.1:7001")]
    [InlineData("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7009\r\nmaster_link_status:up\r\n", "it replicates from 127.0.0.1:7009, not from the master 127.0.0.1:7001")]
    [InlineData("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\nmaster_link_status:down\r\nmaster_sync_in_progress:1\r\n", "it is loading its first full copy from the master")]
    [InlineData("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\nmaster_link_status:down\r\nmaster_link_down_since_seconds:12\r\n", "its link to the master has been down for 12 s")]
    [InlineData("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\nmaster_link_status:down\r\n", "it has not completed a sync with the master since it started (its first sync is under way, or the master does not let it)")]
    [InlineData("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:7001\r\nmaster_link_status:down\r\nmaster_link_down_since_seconds:0\r\n", "its link to the master is down")]
    public void A_replica_that_does_not_follow_its_master_is_not_connected(string info, string detail)
    {
        var master = Watch(Master, MasterProbe(offset: 100));
        var replica = Watch(Replica, ProbeResult.Parse(info));

        var verdict = ServerVerdict.Judge("replica", replica, Master, master, Options);

        Assert.Equal(new ServerVerdict(ServerHealthStates.NotConnected, detail, null), verdict);
        Assert.False(verdict.ServesReads("replica"));
    }

    public void Dispose() => _metrics.Dispose();

    private ServerWatch Watch(string address, ProbeResult? answer = null)
    {
        var watch = new ServerWatch(address, static _ => null, Options, _metrics, _time);
        if (answer is not null)
        {
            watch.Record(answer, _time.GetTimestamp());
        }

        return watch;
    }

    private void Fail(ServerWatch watch, string problem) => watch.Record(ProbeResult.Failed(problem), _time.GetTimestamp());

    private static ProbeResult MasterProbe(long offset) => ProbeResult.Parse($"role:master\r\nmaster_repl_offset:{offset}\r\n");

    private static ProbeResult ReplicaProbe(string master, long offset)
    {
        var address = Tessera.Resp.Servers.ServerAddress.Parse(master);
        return ProbeResult.Parse($"role:slave\r\nmaster_host:{address.Host}\r\nmaster_port:{address.Port}\r\nmaster_link_status:up\r\nslave_repl_offset:{offset}\r\n");
    }
}
