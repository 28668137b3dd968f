using System.Buffers;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Backends;

/// <summary>
/// Follows the socket lifetimes ("links") of one dedicated <see cref="BackendConnection"/> whose server-side
/// state must survive reconnects: client-side caching connections re-enable CLIENT TRACKING on every new link
/// and tell their client to drop its cache when a link is lost (the server forgot what it tracked).
/// </summary>
internal interface IBackendLinkObserver
{
    /// <summary>
    /// Called under the connection's lock when a new link starts, after HELLO 3 and before any queued command:
    /// write setup commands into <paramref name="writer"/> and add one request per command to <paramref name="requests"/>.
    /// Must not block or take other locks that a backend thread may hold.
    /// </summary>
    void OnLinkStarting(IBufferWriter<byte> writer, List<BackendRequest> requests);

    /// <summary>Called (outside the connection's lock) when a link ended for any reason other than closing the connection.</summary>
    void OnLinkLost(string reason, FlushBatch batch);
}
