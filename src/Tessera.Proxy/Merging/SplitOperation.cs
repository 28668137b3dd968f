using System.Buffers;
using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Merging;

/// <summary>
/// A command split into parts, one per group (MGET/MSET/DEL... across groups, DBSIZE and INFO on
/// every group), whose replies are merged into the one reply the client expects (<see cref="ReplyMerge"/>).
/// Parts complete on backend threads in any order; the last one merges and completes the parent.
/// </summary>
internal sealed class SplitOperation
{
    private readonly BackendRequest _parent;
    private readonly MergeKind _merge;
    private readonly Part[] _parts;
    private readonly string? _infoPrefix;
    private readonly KeyPlacement? _keys;
    private int _remaining;

    /// <param name="parent">What gets the merged reply: the client's place in its reply order.</param>
    /// <param name="merge">How the parts' replies merge.</param>
    /// <param name="partCount">The number of parts (groups).</param>
    /// <param name="keyCount">For <see cref="MergeKind.ValuesInOrder"/>: the number of keys the client named (placed by <see cref="MapKey"/>).</param>
    /// <param name="infoPrefix">For <see cref="MergeKind.InfoKeyspace"/>: the INFO text before the keyspace section.</param>
    public SplitOperation(BackendRequest parent, MergeKind merge, int partCount, int keyCount, string? infoPrefix = null)
    {
        _parent = parent;
        _merge = merge;
        _infoPrefix = infoPrefix;
        _parts = new Part[partCount];
        for (int i = 0; i < partCount; i++)
        {
            _parts[i] = new Part(this);
        }

        _remaining = partCount;
        if (merge == MergeKind.ValuesInOrder)
        {
            _keys = new KeyPlacement(keyCount);
        }
    }

    /// <summary>The request that carries part <paramref name="part"/>'s reply.</summary>
    public BackendRequest PartRequest(int part) => _parts[part];

    /// <summary>Records that the client's key number <paramref name="key"/> is the <paramref name="position"/>-th key of part <paramref name="part"/>.</summary>
    public void MapKey(int key, int part, int position) => _keys!.Place(key, part, position);

    private void PartDone(FlushBatch batch)
    {
        if (Interlocked.Decrement(ref _remaining) != 0)
        {
            return;
        }

        try
        {
            // A part that failed in the proxy is an error reply like any other: the merge decides what errors mean.
            var replies = new ReadOnlyMemory<byte>[_parts.Length];
            for (int i = 0; i < _parts.Length; i++)
            {
                replies[i] = _parts[i].Error is { } failure ? Encoding.UTF8.GetBytes($"-{failure}\r\n") : _parts[i].Bytes;
            }

            var merged = new ArrayBufferWriter<byte>(256);
            string? error = ReplyMerge.Merge(_merge, replies, merged, _keys, _infoPrefix);
            if (error is not null)
            {
                _parent.OnFailure(error, batch);
            }
            else
            {
                _parent.OnReply(new ReadOnlySequence<byte>(merged.WrittenMemory), batch);
            }
        }
        finally
        {
            foreach (var part in _parts)
            {
                part.Release();
            }
        }
    }

    /// <summary>One part's reply, copied out of the backend's buffer.</summary>
    private sealed class Part : BackendRequest
    {
        private readonly SplitOperation _operation;
        private byte[]? _array;
        private int _length;

        public Part(SplitOperation operation) => _operation = operation;

        public string? Error { get; private set; }

        public ReadOnlyMemory<byte> Bytes => _array is null ? default : _array.AsMemory(0, _length);

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            _length = checked((int)reply.Length);
            _array = ArrayPool<byte>.Shared.Rent(Math.Max(_length, 16));
            reply.CopyTo(_array);
            _operation.PartDone(batch);
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
            Error = error;
            _operation.PartDone(batch);
        }

        public void Release()
        {
            if (_array is not null)
            {
                ArrayPool<byte>.Shared.Return(_array);
                _array = null;
            }
        }
    }
}
