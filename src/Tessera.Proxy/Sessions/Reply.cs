using System.Buffers;
using Tessera.Proxy.Backends;

namespace Tessera.Proxy.Sessions;

/// <summary>
/// One place in a client's reply order. Created per command (from the session's pool), completed
/// by a backend, a merge of split parts, or the proxy itself. When it completes at the head of the
/// order its bytes go straight to the client; otherwise they are kept here until the replies before
/// it are written.
/// </summary>
internal sealed class Reply : BackendRequest
{
    private byte[]? _stored;
    private int _length;

    public Reply(ClientSession session) => Session = session;

    public ClientSession Session { get; }

    /// <summary>True once the reply's bytes are stored (set under the session's lock).</summary>
    public bool Done { get; private set; }

    public ReadOnlySequence<byte> Stored => new(_stored!, 0, _length);

    public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch) => Session.Complete(this, reply, batch);

    public override void OnFailure(string error, FlushBatch batch) => Session.CompleteError(this, error, batch);

    /// <summary>Keeps a copy of <paramref name="bytes"/> (in a pooled array) until the reply can be written.</summary>
    public void Store(in ReadOnlySequence<byte> bytes)
    {
        _length = checked((int)bytes.Length);
        _stored = ArrayPool<byte>.Shared.Rent(Math.Max(_length, 16));
        bytes.CopyTo(_stored);
        Done = true;
    }

    /// <summary>Returns the stored bytes to the pool so the object can serve another command.</summary>
    public void Reset()
    {
        if (_stored is not null)
        {
            ArrayPool<byte>.Shared.Return(_stored);
            _stored = null;
        }

        _length = 0;
        Done = false;
    }
}
