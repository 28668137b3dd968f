using System.Runtime.CompilerServices;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Tests.Replies;

/// <summary>The FIFO ring under the reply order and the backend in-flight queue: order kept across wrap-around and growth.</summary>
public sealed class RingTests
{
    [Fact]
    public void Items_leave_in_the_order_they_came_across_wrap_around_and_growth()
    {
        var ring = new Ring<int>(4);
        int next = 0, expected = 0;

        // Interleave so the head wraps before the ring grows (twice), and after.
        for (int round = 0; round < 50; round++)
        {
            for (int i = 0; i < 3 + (round % 5); i++)
            {
                ring.Enqueue(next++);
            }

            for (int i = 0; i < 2 + (round % 3); i++)
            {
                Assert.True(ring.TryDequeue(out int item));
                Assert.Equal(expected++, item);
            }

            Assert.Equal(next - expected, ring.Count);
            Assert.Equal(expected, ring.Head);
        }

        while (ring.TryDequeue(out int item))
        {
            Assert.Equal(expected++, item);
        }

        Assert.Equal(next, expected);
        Assert.Equal(0, ring.Count);
        Assert.False(ring.TryDequeue(out _));
    }

    [Fact]
    public void Dequeued_slots_let_go_of_their_items()
    {
        var ring = new Ring<object?>(2);
        var weak = Fill(ring);
        Assert.True(Drop(ring));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(weak.IsAlive);

        // Apart, not inlined, so no local of this frame keeps the item alive.
        [MethodImpl(MethodImplOptions.NoInlining)]
        static WeakReference Fill(Ring<object?> ring)
        {
            var item = new object();
            ring.Enqueue(item);
            return new WeakReference(item);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static bool Drop(Ring<object?> ring) => ring.TryDequeue(out _);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-8)]
    public void A_capacity_that_is_not_a_power_of_two_is_refused(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ring<int>(capacity));
}
