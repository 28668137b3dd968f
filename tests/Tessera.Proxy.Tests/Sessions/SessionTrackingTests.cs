using Tessera.Proxy.Sessions.Tracking;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>The client tracking feature object alone (a namespace with no group, so no connection opens): options, CLIENT CACHING, TRACKINGINFO.</summary>
public sealed class SessionTrackingTests
{
    [Theory]
    [InlineData(RespProtocol.Resp2, "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n")]
    [InlineData(RespProtocol.Resp3, "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n")]
    public async Task A_session_without_tracking_reports_it_off(RespProtocol protocol, string info)
    {
        await using var session = new FakeSessionView(protocol);
        SessionTracking.Info(session, null);
        SessionTracking.GetRedir(session, null);
        SessionTracking.CachingCommand(session, null, FakeSessionView.Frame("CLIENT", "CACHING", "YES"));

        Assert.Equal([info, ":-1\r\n", "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n"], session.Replies);
    }

    [Fact]
    public async Task Tracking_off_without_tracking_is_ok_and_creates_nothing()
    {
        await using var session = new FakeSessionView(RespProtocol.Resp3);
        Assert.Null(SessionTracking.Command(session, null, FakeSessionView.Frame("CLIENT", "TRACKING", "OFF")));
        Assert.Equal(["+OK\r\n"], session.Replies);
        Assert.Equal(0, session.Pauses);
    }

    [Theory]
    [InlineData(RespProtocol.Resp2, false, "-ERR CLIENT TRACKING without REDIRECT needs RESP3")]
    [InlineData(RespProtocol.Resp3, false, "-ERR The client ID you want redirect to does not exist")]
    [InlineData(RespProtocol.Resp3, true, "-CLUSTERDOWN no routes")]
    public async Task Tracking_that_cannot_start_leaves_the_session_without_it(RespProtocol protocol, bool redirectless, string error)
    {
        await using var session = new FakeSessionView(protocol, routes: false);
        var frame = protocol == RespProtocol.Resp2 || redirectless
            ? FakeSessionView.Frame("CLIENT", "TRACKING", "ON")
            : FakeSessionView.Frame("CLIENT", "TRACKING", "ON", "REDIRECT", "12345");

        Assert.Null(SessionTracking.Command(session, null, frame));
        Assert.StartsWith(error, Assert.Single(session.Replies));
        Assert.Equal(0, session.Watched);
    }

    [Fact]
    public async Task Caching_yes_covers_exactly_the_next_command()
    {
        await using var session = new FakeSessionView(RespProtocol.Resp3);
        var tracking = SessionTracking.Command(session, null, FakeSessionView.Frame("CLIENT", "TRACKING", "ON", "OPTIN"));
        Assert.NotNull(tracking);
        Assert.Equal(["+OK\r\n"], session.Replies);
        Assert.Equal((1, 1), (session.Watched, session.Pauses));

        SessionTracking.CachingCommand(session, tracking, FakeSessionView.Frame("CLIENT", "CACHING", "NO"));
        SessionTracking.CachingCommand(session, tracking, FakeSessionView.Frame("CLIENT", "CACHING", "YES"));
        Assert.Equal(CachingState.Armed, tracking.Caching);
        tracking.AdvanceCaching();
        Assert.Equal(CachingState.Current, tracking.Caching);
        SessionTracking.Info(session, tracking);
        tracking.AdvanceCaching();
        Assert.Equal(CachingState.None, tracking.Caching);

        Assert.Equal(
            [
                "+OK\r\n",
                "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n",
                "+OK\r\n",
                "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n",
            ],
            session.Replies);
    }

    [Fact]
    public async Task Changing_options_keeps_the_tracking_and_off_ends_it()
    {
        await using var session = new FakeSessionView(RespProtocol.Resp3);
        var tracking = SessionTracking.Command(session, null, FakeSessionView.Frame("CLIENT", "TRACKING", "ON"));
        var again = SessionTracking.Command(session, tracking, FakeSessionView.Frame("CLIENT", "TRACKING", "ON", "NOLOOP"));
        Assert.Same(tracking, again);
        Assert.True(again!.Options is { Bcast: false, NoLoop: true });

        Assert.Null(SessionTracking.Command(session, again, FakeSessionView.Frame("CLIENT", "TRACKING", "OFF")));
        Assert.Equal(["+OK\r\n", "+OK\r\n", "+OK\r\n"], session.Replies);
        Assert.Equal(2, session.Pauses);
    }
}
