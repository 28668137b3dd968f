namespace Tessera.Proxy.Backends;

/// <summary>
/// The transactions open on one dedicated connection (EXEC sent and not answered yet), as a task that a route
/// change awaits instead of polling: <see cref="Ended"/> completes once no transaction is open any more.
/// </summary>
/// <remarks>
/// Allocates one <see cref="TaskCompletionSource"/> when a transaction opens while none is, nothing per command.
/// A session may pipeline a second MULTI...EXEC before the first EXEC is answered, so opens are counted and the
/// task completes when the last one closes. Opened on the session's thread, closed on the backend's receive
/// thread (EXEC's reply or failure), awaited by a route change: guarded by a lock of its own, never the connection's.
/// </remarks>
internal sealed class TransactionSignal
{
    private readonly object _gate = new();
    private int _open;
    private TaskCompletionSource? _ended;

    /// <summary>True while at least one transaction is open.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _open > 0;
            }
        }
    }

    /// <summary>Completes when no transaction is open (at once when none is); continuations run off the closing thread.</summary>
    public Task Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended?.Task ?? Task.CompletedTask;
            }
        }
    }

    /// <summary>A transaction starts (its EXEC is about to be sent).</summary>
    public void Open()
    {
        lock (_gate)
        {
            if (_open++ == 0)
            {
                _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>A transaction ended (EXEC answered or failed); a close without an open changes nothing.</summary>
    public void Close()
    {
        TaskCompletionSource? ended = null;
        lock (_gate)
        {
            if (_open == 0)
            {
                return;
            }

            if (--_open == 0)
            {
                ended = _ended;
                _ended = null;
            }
        }

        ended?.TrySetResult();
    }
}
