using System.Buffers;
using System.Text;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Sessions.PubSub;
using Tessera.Proxy.Stats;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>The pub/sub feature object alone: bookkeeping per kind and the shape of its confirmations, with no backend.</summary>
public sealed class SessionPubSubTests
{
    [Theory]
    [InlineData(RespProtocol.Resp2, "unsubscribe", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n")]
    [InlineData(RespProtocol.Resp3, "unsubscribe", ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n")]
    [InlineData(RespProtocol.Resp2, "punsubscribe", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n")]
    [InlineData(RespProtocol.Resp3, "sunsubscribe", ">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n")]
    public async Task Unsubscribing_all_without_subscriptions_confirms_a_null_channel(RespProtocol protocol, string kind, string expected)
    {
        await using var session = new FakeSessionView(protocol);
        SessionPubSub.Unsubscribe(session, null, FakeSessionView.Frame(kind.ToUpperInvariant()), kind);
        Assert.Equal([expected], session.Replies);
    }

    [Fact]
    public async Task Unsubscribing_names_never_subscribed_confirms_each_with_the_count_left()
    {
        await using var session = new FakeSessionView();
        SessionPubSub.Unsubscribe(session, null, FakeSessionView.Frame("PUNSUBSCRIBE", "a*", "b*"), "punsubscribe");
        Assert.Equal(["*3\r\n$12\r\npunsubscribe\r\n$2\r\na*\r\n:0\r\n", "*3\r\n$12\r\npunsubscribe\r\n$2\r\nb*\r\n:0\r\n"], session.Replies);
    }

    [Fact]
    public async Task Counts_are_kept_per_kind_and_unsubscribe_of_all_counts_down()
    {
        await using var session = new FakeSessionView(RespProtocol.Resp3);
        var server = new BackendServer("127.0.0.1:1", session.Context.Options, TimeProvider.System, new ProxyStats());
        var pubsub = new SessionPubSub(session);
        pubsub.Channels["a"] = server;
        pubsub.Channels["b"] = server;
        pubsub.ShardChannels["s"] = server;
        pubsub.Patterns.Add("p*");

        // Shard channels are counted apart, as Redis does in its confirmations.
        Assert.Equal(3, pubsub.Count);
        Assert.True(pubsub.Any);

        SessionPubSub.Unsubscribe(session, pubsub, FakeSessionView.Frame("UNSUBSCRIBE"), "unsubscribe");
        SessionPubSub.Unsubscribe(session, pubsub, FakeSessionView.Frame("SUNSUBSCRIBE"), "sunsubscribe");
        Assert.True(pubsub is { Any: true, Count: 1 });
        SessionPubSub.Unsubscribe(session, pubsub, FakeSessionView.Frame("PUNSUBSCRIBE"), "punsubscribe");

        Assert.Equal(
            [
                ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n",
                ">3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n",
                ">3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n",
                ">3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n",
            ],
            session.Replies);
        Assert.Equal(0, pubsub.Count);
        Assert.False(pubsub.Any);
    }

    [Fact]
    public async Task Subscribing_a_channel_already_subscribed_confirms_at_once_and_watches_routes()
    {
        await using var session = new FakeSessionView();
        var server = new BackendServer("127.0.0.1:1", session.Context.Options, TimeProvider.System, new ProxyStats());
        var pubsub = new SessionPubSub(session);
        pubsub.Channels["news"] = server;

        pubsub.Subscribe(session.Routes!, FakeSessionView.Frame("SUBSCRIBE", "news"), "subscribe");

        Assert.Equal(["*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"], session.Replies);
        Assert.Equal(1, session.Watched);
    }

    [Fact]
    public async Task Subscribing_a_channel_whose_slot_has_no_group_is_refused()
    {
        await using var session = new FakeSessionView();
        var pubsub = new SessionPubSub(session);

        pubsub.Subscribe(session.Routes!, FakeSessionView.Frame("SSUBSCRIBE", "orphan"), "ssubscribe");

        Assert.StartsWith("-CLUSTERDOWN Hash slot ", Assert.Single(session.Replies));
        Assert.False(pubsub.Any);
        Assert.Equal(0, session.Watched);
    }

    [Theory]
    [InlineData("*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n", "message")]
    [InlineData(">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$1\r\nm\r\n", "pmessage")]
    [InlineData("*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n", "subscribe")]
    [InlineData("+OK\r\n", "")]
    [InlineData("*3\r\n$9\r\nsubsc", "")]
    public void Frame_names_are_read_from_the_first_element(string frame, string expected)
    {
        var name = SubscriptionLink.FrameName(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(frame)), stackalloc byte[48]);
        Assert.Equal(expected, Encoding.Latin1.GetString(name));
    }
}
