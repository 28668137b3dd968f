using System.Buffers;

namespace Tessera.Proxy.Replies;

/// <summary>
/// One place in a client's reply order. Created per command (from the session's pool), completed
/// by a backend, a merge of split parts, or the proxy itself. When it completes at the head of the
/// order its bytes go straight to the client; otherwise they are kept here until the replies before
/// it are written.
/// </summary>
internal sealed class Reply : BackendRequest
{
    private const int KeptBufferSize = 4096;

    private byte[]? _stored;
    private int _length;

    public Reply(SessionOutput output) => Output = output;

    /// <summary>The output this reply belongs to (one client's).</summary>
    public SessionOutput Output { get; }

    /// <summary>
    /// True when the client asked not to hear this reply (CLIENT REPLY OFF or SKIP): it keeps its place in the
    /// order, so later replies still wait for it, but nothing of it is written.
    /// </summary>
    public bool Silent { get; set; }

    /// <summary>The command this reply answers, for its duration metric; null for replies not timed (pushes, already recorded).</summary>
    public Stats.CommandTags? Metric { get; set; }

    /// <summary>When the command was read (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), with <see cref="Metric"/>.</summary>
    public long StartedAt { get; set; }

    /// <summary>True once the reply's bytes are stored (set under the output's lock).</summary>
    public bool Done { get; private set; }

    public ReadOnlySequence<byte> Stored => new(_stored!, 0, _length);

    public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch) => Output.Complete(this, reply, batch);

    public override void OnFailure(string error, FlushBatch batch) => Output.CompleteError(this, error, batch);

    /// <summary>Keeps a copy of <paramref name="bytes"/> until the reply can be written.</summary>
    /// <remarks>
    /// A small buffer stays with the (pooled) reply object and is reused for the next command, so
    /// out-of-order replies cost no allocation in steady state; ArrayPool.Shared was not enough here
    /// because replies are stored on one backend thread and released on another, which defeats its
    /// per-thread caches. Large buffers go back to the shared pool at once.
    /// </remarks>
    public void Store(in ReadOnlySequence<byte> bytes)
    {
        _length = checked((int)bytes.Length);
        if (_stored is null || _stored.Length < _length)
        {
            ReturnBuffer();
            _stored = _length <= KeptBufferSize ? new byte[Math.Max(_length, 64)] : ArrayPool<byte>.Shared.Rent(_length);
        }

        bytes.CopyTo(_stored);
        Done = true;
    }

    /// <summary>Makes the object ready to serve another command.</summary>
    public void Reset()
    {
        if (_stored is { Length: > KeptBufferSize })
        {
            ReturnBuffer();
        }

        _length = 0;
        Done = false;
        Silent = false;
        Metric = null;
    }

    /// <summary>Gives up the buffer for good (the session is closing).</summary>
    public void Release()
    {
        ReturnBuffer();
        Reset();
    }

    private void ReturnBuffer()
    {
        if (_stored is { Length: > KeptBufferSize })
        {
            ArrayPool<byte>.Shared.Return(_stored);
        }

        _stored = null;
    }
}
