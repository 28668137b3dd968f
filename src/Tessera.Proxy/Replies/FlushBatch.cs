namespace Tessera.Proxy.Replies;

/// <summary>
/// Client sessions that received replies during one pass over a backend's input (or one pass
/// over a client's input). Flushing once per pass instead of once per reply lets pipelined replies
/// leave in one socket write. Each thread of work owns its own batch; not thread-safe.
/// </summary>
internal sealed class FlushBatch
{
    private readonly List<SessionOutput> _outputs = new(8);

    public void Add(SessionOutput output) => _outputs.Add(output);

    /// <summary>Flushes every client output added since the last call.</summary>
    public void FlushAll()
    {
        var outputs = _outputs;
        for (int i = 0; i < outputs.Count; i++)
        {
            outputs[i].Flush();
        }

        outputs.Clear();
    }
}
