using System.Buffers;
using System.Collections.Concurrent;

namespace Tessera.Proxy.Net;

/// <summary>
/// Fixed-size blocks for the backend connections' pipes, recycled through a shared queue.
/// </summary>
/// <remarks>
/// Written by hand because the framework's MemoryPool&lt;byte&gt;.Shared rents from ArrayPool.Shared,
/// whose per-thread caches drop arrays that are rented on one thread (a session writing a command)
/// and returned on another (the send loop): that showed up as ~40 bytes allocated per forwarded
/// command. Kestrel's own pinned block pool is internal. Blocks and their owner objects are reused,
/// so steady-state forwarding allocates nothing here.
/// </remarks>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 16 * 1024;

    private readonly ConcurrentQueue<Block> _blocks = new();

    /// <summary>One pool for the whole process: blocks move freely between connections.</summary>
    public static new BlockMemoryPool Shared { get; } = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            // Pipes never ask for more than the segment size they were configured with; be safe anyway.
            return new Block(null, minBufferSize);
        }

        return _blocks.TryDequeue(out var block) ? block : new Block(this, BlockSize);
    }

    protected override void Dispose(bool disposing)
    {
        // Shared for the process lifetime; blocks are plain managed arrays.
    }

    private void Return(Block block) => _blocks.Enqueue(block);

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly BlockMemoryPool? _pool;
        private readonly byte[] _array;

        public Block(BlockMemoryPool? pool, int size)
        {
            _pool = pool;
            _array = new byte[size];
        }

        public Memory<byte> Memory => _array;

        public void Dispose() => _pool?.Return(this);
    }
}
