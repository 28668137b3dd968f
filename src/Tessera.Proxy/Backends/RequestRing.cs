using Tessera.Proxy.Replies;
namespace Tessera.Proxy.Backends;

/// <summary>
/// FIFO of requests sent on one backend connection and not yet answered, with the time each was
/// queued (for request timeouts). A growable ring: no allocation once it has reached its working size.
/// Not thread-safe; the owning connection guards it with its lock.
/// </summary>
internal sealed class RequestRing
{
    private BackendRequest?[] _items = new BackendRequest?[64];
    private long[] _queuedAt = new long[64];
    private int _head;

    public int Count { get; private set; }

    /// <summary>When the oldest unanswered request was queued (a TimeProvider timestamp); meaningless when empty.</summary>
    public long OldestQueuedAt => _queuedAt[_head];

    public void Enqueue(BackendRequest request, long timestamp)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        int tail = (_head + Count) & (_items.Length - 1);
        _items[tail] = request;
        _queuedAt[tail] = timestamp;
        Count++;
    }

    public BackendRequest? TryDequeue()
    {
        if (Count == 0)
        {
            return null;
        }

        var item = _items[_head];
        _items[_head] = null;
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return item;
    }

    /// <summary>Removes every request into <paramref name="destination"/> (in order) and returns how many.</summary>
    public int DrainTo(List<BackendRequest> destination)
    {
        int n = 0;
        while (TryDequeue() is { } request)
        {
            destination.Add(request);
            n++;
        }

        return n;
    }

    private void Grow()
    {
        // Capacity stays a power of two so the index wraps with a mask.
        var items = new BackendRequest?[_items.Length * 2];
        var queuedAt = new long[_items.Length * 2];
        for (int i = 0; i < Count; i++)
        {
            int from = (_head + i) & (_items.Length - 1);
            items[i] = _items[from];
            queuedAt[i] = _queuedAt[from];
        }

        _items = items;
        _queuedAt = queuedAt;
        _head = 0;
    }
}
