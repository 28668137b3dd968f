namespace Tessera.Proxy.Replies;

/// <summary>
/// A growable FIFO ring: a client's replies in request order (<see cref="SessionOutput"/>) and a backend
/// connection's requests in send order. Capacity stays a power of two so the index wraps with a mask; no
/// allocation once it has reached its working size. Not thread-safe: its owner guards it with its lock.
/// </summary>
/// <remarks>Written here rather than taken from <see cref="Queue{T}"/> because the owners need the head by reference and the mask-wrapped index on their hot paths.</remarks>
internal sealed class Ring<T>
{
    private T[] _items;
    private int _head;

    /// <param name="capacity">The starting capacity, a power of two.</param>
    public Ring(int capacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the capacity must be a power of two");
        }

        _items = new T[capacity];
    }

    public int Count { get; private set; }

    /// <summary>The oldest item; meaningless (a default value) when the ring is empty.</summary>
    public ref readonly T Head => ref _items[_head];

    public void Enqueue(in T item)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[(_head + Count) & (_items.Length - 1)] = item;
        Count++;
    }

    /// <summary>Removes the oldest item; false when the ring is empty.</summary>
    public bool TryDequeue(out T item)
    {
        if (Count == 0)
        {
            item = default!;
            return false;
        }

        item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return true;
    }

    private void Grow()
    {
        var items = new T[_items.Length * 2];
        for (int i = 0; i < Count; i++)
        {
            items[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = items;
        _head = 0;
    }
}
