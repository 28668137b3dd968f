namespace Tessera.Proxy.Routing;

/// <summary>
/// Tells a route change when every session has stopped using the routes it replaced.
/// </summary>
/// <remarks>
/// Sessions bracket each read pass with <see cref="Enter"/>/<see cref="Exit"/> on one of two counters
/// (the current parity). A writer publishes the new snapshot, flips the parity and waits for the old
/// counter to reach zero: every pass that could have read the old snapshot has then finished writing
/// its commands to backend connections, and every later pass reads the new one (it increments after
/// the flip, which follows the publish; Interlocked operations are full fences). Two shared counter
/// updates per read pass, nothing per command; hand-written because no framework type gives this
/// "grace period" without a lock on the read side.
/// </remarks>
internal sealed class PassGuard
{
    private readonly long[] _active = new long[2 * 16];
    private int _parity;

    /// <summary>Marks the start of a read pass; returns the token to hand to <see cref="Exit"/>.</summary>
    public int Enter()
    {
        int parity = Volatile.Read(ref _parity);
        Interlocked.Increment(ref _active[parity * 16]);
        return parity;
    }

    public void Exit(int token) => Interlocked.Decrement(ref _active[token * 16]);

    /// <summary>Call after publishing a new snapshot: waits (bounded) until no pass that began before is still running.</summary>
    public async Task WaitForOlderPassesAsync(TimeSpan timeout)
    {
        int old = Interlocked.Exchange(ref _parity, 1 - Volatile.Read(ref _parity)) ;
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _active[old * 16]) != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }
}
