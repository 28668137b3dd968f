using Tessera.Proxy.Backends;
using Tessera.Proxy.Stats;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Tests.Backends;

/// <summary>
/// The one counter of connections sessions hold for themselves: opens up to the limit, refuses past it with
/// the one error sentence, and gives a place back once per connection closed. Opening a connection does not
/// connect it (that waits for its first command), so no server is needed here.
/// </summary>
public sealed class DedicatedConnectionsTests : IAsyncDisposable
{
    private readonly BackendServer _server = new("127.0.0.1:6379", new ProxyOptions(), TimeProvider.System, new ProxyStats());

    [Fact]
    public void Opens_up_to_the_limit_then_refuses()
    {
        var dedicated = new DedicatedConnections(3);
        var opened = new List<BackendConnection>();
        for (int i = 0; i < 3; i++)
        {
            opened.Add(Assert.IsType<BackendConnection>(dedicated.TryOpen(_server, RespProtocol.Resp2)));
        }

        Assert.Equal(3, dedicated.Count);
        Assert.Null(dedicated.TryOpen(_server, RespProtocol.Resp2));
        Assert.Null(dedicated.TryOpen(_server, RespProtocol.Resp3, static (_, _) => { }));
        Assert.Equal(3, dedicated.Count);
        Assert.Equal(3, _server.DedicatedConnections.Count());
    }

    [Fact]
    public void Each_open_gives_the_connection_its_kind()
    {
        var dedicated = new DedicatedConnections(10);
        var blocking = dedicated.TryOpen(_server, RespProtocol.Resp2)!;
        var subscribed = dedicated.TryOpen(_server, RespProtocol.Resp2, static (_, _) => { })!;
        var tracking = dedicated.TryOpenTracking(_server, new NoObserver(), static (_, _) => { })!;

        Assert.Equal(BackendConnectionKind.Dedicated, blocking.Kind);
        Assert.Equal(BackendConnectionKind.Subscribed, subscribed.Kind);
        Assert.Equal(BackendConnectionKind.Tracking, tracking.Kind);
        Assert.All([blocking, subscribed, tracking], connection => Assert.True(connection.Dedicated));
        Assert.False(_server.ConnectionFor(1).Dedicated);
        Assert.Equal(BackendConnectionKind.Shared, _server.ConnectionFor(1).Kind);
    }

    [Fact]
    public void The_refusal_names_the_limit_after_the_callers_lead()
    {
        var dedicated = new DedicatedConnections(2);
        const string Sentence = " this proxy already holds 2 connections for blocked clients, transactions, subscriptions, client-side caching and WAIT (its limit); retry later or use another proxy";

        Assert.Equal("ERR" + Sentence, dedicated.Refusal("ERR"));
        Assert.Equal("TRYAGAIN" + Sentence, dedicated.Refusal("TRYAGAIN"));
        Assert.StartsWith("ERR WAIT needs a connection of its own", dedicated.Refusal("ERR WAIT needs a connection of its own to backend 127.0.0.1:6379, but"), StringComparison.Ordinal);
    }

    [Fact]
    public void Closing_makes_room_and_closing_twice_does_not_count_twice()
    {
        var dedicated = new DedicatedConnections(2);
        var first = dedicated.TryOpen(_server, RespProtocol.Resp2)!;
        var second = dedicated.TryOpenTracking(_server, new NoObserver(), static (_, _) => { })!;
        Assert.Null(dedicated.TryOpen(_server, RespProtocol.Resp2));

        dedicated.Close(_server, first);
        Assert.Equal(1, dedicated.Count);
        dedicated.Close(_server, first);
        Assert.Equal(1, dedicated.Count);
        Assert.DoesNotContain(first, _server.DedicatedConnections);

        // The place freed once is taken once: the limit still holds after the double close.
        Assert.NotNull(dedicated.TryOpen(_server, RespProtocol.Resp2));
        Assert.Null(dedicated.TryOpen(_server, RespProtocol.Resp2));

        dedicated.Close(_server, second);
        Assert.Equal(1, dedicated.Count);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class NoObserver : IBackendLinkObserver
    {
        public void OnLinkStarting(System.Buffers.IBufferWriter<byte> writer, List<Proxy.Replies.BackendRequest> requests)
        {
        }

        public void OnLinkLost(string reason, Proxy.Replies.FlushBatch batch)
        {
        }
    }
}
