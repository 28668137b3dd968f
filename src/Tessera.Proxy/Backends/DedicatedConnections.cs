using System.Buffers;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Backends;

/// <summary>
/// The backend connections client sessions hold for themselves (blocked clients, transactions, subscriptions,
/// client-side caching, WAIT), counted against <see cref="ProxyOptions.MaxDedicatedConnections"/>: one counter
/// for the whole proxy. Opening reserves a place and fails when none is left; closing gives it back once.
/// </summary>
/// <remarks>Thread-safe: sessions open and close on their own threads, WAIT closes from backend threads.</remarks>
internal sealed class DedicatedConnections
{
    private int _count;

    public DedicatedConnections(int limit) => Limit = limit;

    /// <summary>Most connections open at once (<see cref="ProxyOptions.MaxDedicatedConnections"/>).</summary>
    public int Limit { get; }

    /// <summary>Connections open now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// A session's own connection to <paramref name="server"/> (<see cref="BackendConnectionKind.Dedicated"/>, or
    /// <see cref="BackendConnectionKind.Subscribed"/> with <paramref name="pushSink"/>), or null when the limit is reached.
    /// </summary>
    public BackendConnection? TryOpen(BackendServer server, RespProtocol protocol, Action<ReadOnlySequence<byte>, FlushBatch>? pushSink = null) =>
        TryReserve() ? server.OpenDedicated(protocol, pushSink) : null;

    /// <summary>A session's <see cref="BackendConnectionKind.Tracking"/> connection to <paramref name="server"/>, or null when the limit is reached.</summary>
    public BackendConnection? TryOpenTracking(BackendServer server, IBackendLinkObserver observer, Action<ReadOnlySequence<byte>, FlushBatch> outOfBand) =>
        TryReserve() ? server.OpenTracking(observer, outOfBand) : null;

    /// <summary>Closes <paramref name="connection"/> and frees its place; closing it again changes nothing.</summary>
    public void Close(BackendServer server, BackendConnection connection)
    {
        if (server.CloseDedicated(connection))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>
    /// The error a client gets when an open is refused, after <paramref name="lead"/>: its error code ("ERR",
    /// "TRYAGAIN"), and what needed the connection where that helps ("ERR WAIT needs ... to backend X, but").
    /// </summary>
    public string Refusal(string lead) =>
        $"{lead} this proxy already holds {Limit} connections for blocked clients, transactions, subscriptions, client-side caching and WAIT (its limit); retry later or use another proxy";

    private bool TryReserve()
    {
        if (Interlocked.Increment(ref _count) <= Limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }
}
