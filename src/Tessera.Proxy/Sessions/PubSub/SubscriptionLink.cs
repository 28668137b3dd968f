using System.Buffers;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Sessions.PubSub;

/// <summary>
/// The frames of one subscribed connection (backend thread): messages go to the client; each
/// subscribe confirmation releases the oldest confirmation the client is waiting for on this
/// connection (the server confirms in the order the subscriptions were sent).
/// </summary>
internal sealed class SubscriptionLink(ISessionView session)
{
    private readonly Queue<PendingConfirmation?> _expected = new();

    /// <summary>Registers the confirmation the next subscription sent on this connection will release (null: nobody waits).</summary>
    public void Expect(PendingConfirmation? pending)
    {
        lock (_expected)
        {
            _expected.Enqueue(pending);
        }
    }

    public void OnFrame(ReadOnlySequence<byte> frame, FlushBatch batch)
    {
        var name = FrameName(frame, stackalloc byte[48]);
        if (name.SequenceEqual("message"u8) || name.SequenceEqual("pmessage"u8) || name.SequenceEqual("smessage"u8))
        {
            session.Push(frame, batch);
        }
        else if (name.SequenceEqual("subscribe"u8) || name.SequenceEqual("psubscribe"u8) || name.SequenceEqual("ssubscribe"u8))
        {
            PendingConfirmation? pending = null;
            lock (_expected)
            {
                _expected.TryDequeue(out pending);
            }

            pending?.Arrived(batch);
        }
    }

    /// <summary>The name of a subscription frame ("message", "subscribe"...), from its first element.</summary>
    internal static ReadOnlySpan<byte> FrameName(in ReadOnlySequence<byte> frame, Span<byte> scratch)
    {
        int n = (int)Math.Min(frame.Length, scratch.Length);
        frame.Slice(0, n).CopyTo(scratch);
        var text = scratch[..n];
        int lineEnd = text.IndexOf((byte)'\n');
        if (lineEnd < 0 || (text[0] != (byte)'*' && text[0] != (byte)'>'))
        {
            return default;
        }

        var first = text[(lineEnd + 1)..];
        int nameStart = first.IndexOf((byte)'\n') + 1;
        if (nameStart <= 0)
        {
            return default;
        }

        var name = first[nameStart..];
        int end = name.IndexOf((byte)'\r');
        return end < 0 ? default : name[..end];
    }
}

/// <summary>A subscription reply the client gets once every server involved has confirmed.</summary>
internal sealed class PendingConfirmation(Reply reply, byte[] bytes, int servers)
{
    private int _remaining = servers;
    private int _done;

    public void Arrived(FlushBatch batch)
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Force(batch);
        }
    }

    public void Force(FlushBatch batch)
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            reply.OnReply(new ReadOnlySequence<byte>(bytes), batch);
        }
    }
}
