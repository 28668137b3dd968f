using Tessera.Proxy.Backends;
using Tessera.Proxy.Sessions.Wait;
using Tessera.Proxy.Tests.Support;
using static Tessera.Proxy.Tests.Support.TestRoutes;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>The WAIT feature object alone, with no backend: what it accepts, and which masters a WAIT asks.</summary>
public sealed class SessionWaitTests
{
    private static readonly BackendServer A = Server(1);
    private static readonly BackendServer B = Server(2);
    private static readonly BackendServer C = Server(3);

    [Theory]
    [InlineData("x", "0", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("1", "x", "-ERR timeout is not an integer or out of range\r\n")]
    [InlineData("x", "-1", "-ERR value is not an integer or out of range\r\n")]
    [InlineData("-1", "-1", "-ERR timeout is negative\r\n")]
    [InlineData("1", "0", "-CLUSTERDOWN namespace 'default' has no groups\r\n")]
    public async Task A_wait_that_cannot_run_is_answered_at_once_in_redis_order(string numReplicas, string timeout, string error)
    {
        await using var session = new FakeSessionView();
        Assert.False(SessionWait.Accepts(session, FakeSessionView.Frame("WAIT", numReplicas, timeout), out _, out _));
        Assert.Equal([error], session.Replies);
        Assert.Equal(0, session.Pauses);
    }

    [Fact]
    public async Task A_wait_without_routes_gets_the_sessions_clusterdown()
    {
        await using var session = new FakeSessionView(routes: false);
        Assert.False(SessionWait.Accepts(session, FakeSessionView.Frame("WAIT", "1", "0"), out _, out _));
        Assert.Equal(["-CLUSTERDOWN no routes\r\n"], session.Replies);
    }

    [Fact]
    public void After_writes_only_the_written_groups_masters_are_asked_behind_the_marker()
    {
        var written = default(WrittenGroups);
        written.Note(Group(1, A), writes: true);
        written.Note(Group(70, C), writes: true);

        var (masters, afterWrites) = SessionWait.Targets(Namespace(Group(1, A), Group(2, B), Group(70, C)), written);

        Assert.Equal([A, C], masters);
        Assert.True(afterWrites);
    }

    [Fact]
    public void Without_writes_every_master_is_asked_without_the_marker()
    {
        var (masters, afterWrites) = SessionWait.Targets(Namespace(Group(1, A), Group(2, B), Group(70, C)), default);

        Assert.Equal([A, B, C], masters);
        Assert.False(afterWrites);
    }

    [Fact]
    public void Groups_sharing_a_master_ask_it_once()
    {
        var written = default(WrittenGroups);
        written.Note(Group(1, A), writes: true);
        written.Note(Group(2, A), writes: true);
        var routes = Namespace(Group(1, A), Group(2, A), Group(3, B), Group(4, B));

        var (masters, afterWrites) = SessionWait.Targets(routes, written);
        Assert.Equal([A], masters);
        Assert.True(afterWrites);

        (masters, afterWrites) = SessionWait.Targets(routes, default);
        Assert.Equal([A, B], masters);
        Assert.False(afterWrites);
    }

    [Fact]
    public void Written_groups_gone_from_the_topology_make_wait_ask_every_master()
    {
        var written = default(WrittenGroups);
        written.Note(Group(9, C), writes: true);

        var (masters, afterWrites) = SessionWait.Targets(Namespace(Group(1, A), Group(2, B)), written);

        Assert.Equal([A, B], masters);
        Assert.False(afterWrites);
    }

    [Fact]
    public async Task Aborting_with_no_wait_under_way_does_nothing()
    {
        await using var session = new FakeSessionView();
        new SessionWait(session).Abort();
        Assert.Empty(session.Replies);
        Assert.Equal(0, session.Pauses);
    }
}
