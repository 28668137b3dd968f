namespace Tessera.Resp.Protocol;

/// <summary>Progress of <see cref="ReplyScanner"/> through a reply that has not fully arrived yet.</summary>
public struct ReplyScanState
{
    /// <summary>Bytes of the current reply already walked.</summary>
    internal long Scanned;

    /// <summary>Values still expected before the reply is complete (nested aggregates add to it); 0 before the first call.</summary>
    internal long Remaining;

    /// <summary>Bytes of a blob payload, CRLF included, still to skip after its header was read; 0 when none.</summary>
    internal long Pending;

    /// <summary>Bytes of the current line-type value (from its type byte) already searched for '\n' in vain.</summary>
    internal long LineSearched;

    /// <summary>Start of the sequence the last call saw (see <see cref="ResumePoint"/>).</summary>
    internal SequencePosition ResumeStart;

    /// <summary>Position of <see cref="Scanned"/> in the sequence the last call saw.</summary>
    internal SequencePosition ResumeAt;

    /// <summary>Starts over with a new reply.</summary>
    public void Reset() => this = default;
}
