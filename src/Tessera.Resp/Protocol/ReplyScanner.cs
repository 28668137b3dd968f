using System.Buffers;

namespace Tessera.Resp.Protocol;

/// <summary>Progress of <see cref="ReplyScanner"/> through a reply that has not fully arrived yet.</summary>
public struct ReplyScanState
{
    /// <summary>Bytes of the current reply already walked.</summary>
    internal long Scanned;

    /// <summary>Values still expected before the reply is complete (nested aggregates add to it).</summary>
    internal long Remaining;

    /// <summary>Starts over with a new reply.</summary>
    public void Reset()
    {
        Scanned = 0;
        Remaining = 0;
    }
}

/// <summary>
/// Finds where one RESP2/RESP3 value ends without materialising it, so replies can be forwarded
/// byte for byte. Handles every RESP3 type, nested aggregates, attributes (which precede the value
/// they describe) and push messages.
/// </summary>
public static class ReplyScanner
{
    /// <summary>
    /// Scans one value at the start of <paramref name="input"/>. <see cref="ParseStatus.Complete"/> sets
    /// <paramref name="length"/> to its byte length and resets <paramref name="state"/>;
    /// <see cref="ParseStatus.Incomplete"/> keeps progress in <paramref name="state"/> so the next call,
    /// with the same start and more bytes, resumes instead of rescanning; <see cref="ParseStatus.Error"/>
    /// means the bytes are not RESP.
    /// </summary>
    public static ParseStatus TryScan(in ReadOnlySequence<byte> input, ref ReplyScanState state, out long length)
    {
        throw new NotImplementedException();
    }
}
