using Tessera.Proxy.Sessions.Wait;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// WAIT numreplicas timeout. The session records which groups its commands wrote to (<see cref="WrittenGroups"/>:
/// each command that sends a replicated write says so where it reaches a group); WAIT itself is the session's
/// <see cref="SessionWait"/>, created on its first WAIT (Wait/SessionWait.cs). The session keeps the one thing WAIT
/// cannot do alone: a WAIT behind held requests waits in line with them.
/// </remarks>
internal sealed partial class ClientSession
{
    private WrittenGroups _written;
    private SessionWait? _wait;

    private void RunWait(RequestFrame frame)
    {
        if (!SessionWait.Accepts(this, frame, out long numReplicas, out long timeoutMs))
        {
            return;
        }

        if (_held.Count > 0)
        {
            // Earlier requests wait for a locked slot and are re-sent only by the read loop, which WAIT would stop:
            // wait in line behind them instead (re-dispatched after them, in order).
            Hold(frame, _held[^1].Slot);
            return;
        }

        (_wait ??= new SessionWait(this)).Start(numReplicas, timeoutMs);
    }

    /// <summary>The client left: a WAIT under way closes its connections (ending their blocked WAITs on the servers).</summary>
    private void AbortWait() => _wait?.Abort();
}
