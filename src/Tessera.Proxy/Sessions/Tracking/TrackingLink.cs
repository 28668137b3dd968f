using System.Buffers;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Tracking;

/// <summary>
/// One tracking connection's view of its links: every new socket gets CLIENT SETNAME (so operators and tests
/// can find it in CLIENT LIST) and CLIENT TRACKING ON with the session's current options before any command;
/// a lost socket means the server forgot the tracked keys, so the client is told to flush.
/// </summary>
internal sealed class TrackingLink(SessionTracking tracking, string name) : IBackendLinkObserver
{
    private volatile bool _closed;

    public BackendConnection Connection { get; set; } = null!;

    /// <summary>The session let go of this connection: nothing more is delivered from it.</summary>
    public void Close() => _closed = true;

    public void OnLinkStarting(IBufferWriter<byte> writer, List<BackendRequest> requests)
    {
        RespWriter.WriteCommand(writer, "CLIENT", "SETNAME", name);
        requests.Add(IgnoredRequest.Instance);
        tracking.Options.WriteEnableCommand(writer);
        requests.Add(new EnableRequest(this));
    }

    public void OnLinkLost(string reason, FlushBatch batch)
    {
        if (!_closed)
        {
            tracking.DeliverFlush(batch);
        }
    }

    public void OnPush(ReadOnlySequence<byte> frame, FlushBatch batch)
    {
        if (!_closed)
        {
            tracking.DeliverInvalidation(frame, batch);
        }
    }

    /// <summary>Sends CLIENT TRACKING ON with the current options on the open link (options changed).</summary>
    public void SendEnable(FlushBatch batch)
    {
        if (!Connection.TryBeginWrite(out var writer, out _))
        {
            // Down: the next link starts with the new options anyway.
            return;
        }

        try
        {
            tracking.Options.WriteEnableCommand(writer);
        }
        finally
        {
            Connection.EndWrite(new EnableRequest(this));
        }
    }

    /// <summary>The server refused CLIENT TRACKING ON: reads are not tracked, so the client must not trust its cache.</summary>
    private void Refused(string error, FlushBatch batch)
    {
        if (!_closed)
        {
            tracking.Refused(Connection.ServerAddress, error, batch);
        }
    }

    private sealed class EnableRequest(TrackingLink link) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            if (reply.FirstSpan[0] == (byte)'-')
            {
                link.Refused(System.Text.Encoding.UTF8.GetString(reply.ToArray()).Trim(), batch);
            }
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
            // The link failed: OnLinkLost already told the client.
        }
    }
}

/// <summary>The client's OK to CLIENT TRACKING ON, given when every tracking connection has answered a PING sent behind the tracking command.</summary>
internal sealed class TrackingReady(Reply reply, int connections) : BackendRequest
{
    private static readonly byte[] Ok = "+OK\r\n"u8.ToArray();
    private int _remaining = connections;

    public override void OnReply(in ReadOnlySequence<byte> bytes, FlushBatch batch) => Arrived(batch);

    // A connection that failed already sent the client a null invalidation; the OK still stands, as on Redis
    // a later broken connection would not take it back.
    public override void OnFailure(string error, FlushBatch batch) => Arrived(batch);

    private void Arrived(FlushBatch batch)
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            reply.OnReply(new ReadOnlySequence<byte>(Ok), batch);
        }
    }
}
