namespace Tessera.Resp.Protocol;

/// <summary>Outcome of an incremental parse step.</summary>
public enum ParseStatus
{
    /// <summary>More bytes are needed; the parser kept its progress and resumes on the next call.</summary>
    Incomplete = 0,

    /// <summary>One whole frame is available.</summary>
    Complete = 1,

    /// <summary>The input is malformed or breaks a limit; the connection must be closed after answering.</summary>
    Error = 2,
}
