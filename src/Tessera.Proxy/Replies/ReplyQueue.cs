namespace Tessera.Proxy.Replies;

/// <summary>A client's replies in request order (a growable ring). Guarded by the session's lock.</summary>
internal sealed class ReplyQueue
{
    private Reply?[] _items = new Reply?[16];
    private int _head;

    public int Count { get; private set; }

    public Reply? Peek() => Count == 0 ? null : _items[_head];

    public void Enqueue(Reply reply)
    {
        if (Count == _items.Length)
        {
            var items = new Reply?[_items.Length * 2];
            for (int i = 0; i < Count; i++)
            {
                items[i] = _items[(_head + i) & (_items.Length - 1)];
            }

            _items = items;
            _head = 0;
        }

        _items[(_head + Count) & (_items.Length - 1)] = reply;
        Count++;
    }

    public Reply Dequeue()
    {
        var reply = _items[_head]!;
        _items[_head] = null;
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return reply;
    }
}
