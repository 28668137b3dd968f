using Tessera.Proxy.Sessions;
namespace Tessera.Proxy.Replies;

/// <summary>
/// Client sessions that received replies during one pass over a backend's input (or one pass
/// over a client's input). Flushing once per pass instead of once per reply lets pipelined replies
/// leave in one socket write. Each thread of work owns its own batch; not thread-safe.
/// </summary>
internal sealed class FlushBatch
{
    private readonly List<ClientSession> _sessions = new(8);

    public void Add(ClientSession session) => _sessions.Add(session);

    /// <summary>Flushes every session added since the last call.</summary>
    public void FlushAll()
    {
        var sessions = _sessions;
        for (int i = 0; i < sessions.Count; i++)
        {
            sessions[i].Flush();
        }

        sessions.Clear();
    }
}
