using System.Buffers;

namespace Tessera.Proxy.Replies;

/// <summary>
/// Something waiting for exactly one reply on a backend connection. Connections answer their
/// requests strictly in send order, so each request gets either <see cref="OnReply"/> or
/// <see cref="OnFailure"/>, exactly once.
/// </summary>
internal abstract class BackendRequest
{
    /// <summary>The reply's bytes, valid only for the duration of the call (copy what must outlive it).</summary>
    public abstract void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch);

    /// <summary>No reply will come; <paramref name="error"/> is a RESP error line without "-" and CRLF (e.g. "ERR backend ...").</summary>
    public abstract void OnFailure(string error, FlushBatch batch);
}
