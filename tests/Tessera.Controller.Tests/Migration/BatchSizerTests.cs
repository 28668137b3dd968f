using Tessera.Controller.Migration;

namespace Tessera.Controller.Tests.Migration;

public sealed class BatchSizerTests
{
    private static readonly MigrationSettings Defaults = new() { BatchTargetMs = 1 };

    [Fact]
    public void Small_keys_keep_the_full_batch_and_a_target_of_zero_never_adapts()
    {
        var sizer = new BatchSizer();
        Assert.Equal(0, new MigrationSettings().BatchTargetMs);
        Assert.Equal(100, sizer.Next(Defaults));

        // 100 small keys in 0.5 ms: well inside the 1 ms target, the batch stays at batchKeys.
        sizer.Record(100, TimeSpan.FromMilliseconds(0.5));
        Assert.Equal(100, sizer.Next(Defaults));

        // Keys of a few KB: 100 of them took 8 ms, so ~12 fit in 1 ms; with a target of 0 the batch stays fixed.
        for (var i = 0; i < 8; i++)
        {
            sizer.Record(100, TimeSpan.FromMilliseconds(8));
        }

        Assert.Equal(12, sizer.Next(Defaults));
        Assert.Equal(100, sizer.Next(Defaults with { BatchTargetMs = 0 }));
        Assert.Equal(25, sizer.Next(Defaults with { BatchTargetMs = 2, BatchKeys = 25 }));
    }

    [Fact]
    public void One_slow_call_does_not_shrink_the_batch_but_slow_calls_that_last_go_down_to_the_floor()
    {
        var sizer = new BatchSizer();
        sizer.Record(100, TimeSpan.FromMilliseconds(0.6));
        sizer.Record(100, TimeSpan.FromMilliseconds(30)); // waited behind something: not the keys' cost
        Assert.Equal(100, sizer.Next(Defaults));

        for (var i = 0; i < 8; i++)
        {
            sizer.Record(50, TimeSpan.FromMilliseconds(500)); // a big-ish value in every key
        }

        Assert.Equal(BatchSizer.MinKeys, sizer.Next(Defaults));
        Assert.Equal(3, sizer.Next(Defaults with { BatchKeys = 3 }));

        // Small keys again: the batch grows back once the slow calls left the window.
        for (var i = 0; i < 8; i++)
        {
            sizer.Record(10, TimeSpan.FromMilliseconds(0.1));
        }

        Assert.Equal(100, sizer.Next(Defaults));
    }

    [Fact]
    public void The_batch_time_target_is_validated()
    {
        Assert.Equal(0.5, (Defaults with { BatchTargetMs = 0.5 }).Validate().BatchTargetMs);
        foreach (var bad in new[] { -1, 1001, double.NaN })
        {
            var e = Assert.ThrowsAny<Exception>(() => (Defaults with { BatchTargetMs = bad }).Validate());
            Assert.Contains("batchTargetMs", e.Message, StringComparison.Ordinal);
        }
    }
}
