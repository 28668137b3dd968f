using Tessera.Resp.Commands;

namespace Tessera.Resp.Tests.Commands;

/// <summary>Key extraction edge cases that need no server (the server comparisons are in KeyExtractorServerTests).</summary>
public sealed class KeyExtractorTests
{
    private static readonly CommandTable Table = CommandTable.Default;

    private static int[] Keys(params string[] args) =>
        TestFrames.Keys(Table, args) ?? throw new Xunit.Sdk.XunitException($"{string.Join(' ', args)}: -1 (arguments do not fit), expected keys");

    private static void AssertInvalid(params string[] args) =>
        Assert.True(TestFrames.Keys(Table, args) is null, $"{string.Join(' ', args)}: expected -1 (arguments do not fit)");

    [Fact]
    public void Single_key_and_ranges()
    {
        Assert.Equal([1], Keys("GET", "k"));
        Assert.Equal([1, 2, 3], Keys("DEL", "a", "b", "c"));
        Assert.Equal([1, 3, 5], Keys("MSET", "a", "1", "b", "2", "c", "3"));
        Assert.Equal([1, 2], Keys("BLPOP", "a", "b", "0"));
        Assert.Equal([], Keys("PING"));
    }

    [Fact]
    public void Keyword_begin_search_and_limit()
    {
        Assert.Equal([4, 5], Keys("XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0"));
        Assert.Equal([4, 5], Keys("xread", "count", "2", "streams", "a", "b", "0", "0"));
        // An odd key/ID list: like Redis, the keys are the first half rounded down (XREAD itself then refuses it).
        Assert.Equal([2], Keys("XREAD", "STREAMS", "a", "b", "0"));
        // A keyword with one argument after it leaves no room for a key and its ID.
        AssertInvalid("XREAD", "COUNT", "1", "STREAMS", "a");
        // The keyword is searched for from startfrom on: a key named STREAMS does not confuse it.
        Assert.Equal([2, 3], Keys("XREAD", "STREAMS", "STREAMS", "b", "0", "0"));
    }

    [Fact]
    public void Optional_keywords_add_keys_only_when_present_and_keys_come_back_in_argument_order()
    {
        Assert.Equal([1], Keys("GEORADIUS", "k", "0", "0", "1", "km"));
        Assert.Equal([1, 7, 9], Keys("GEORADIUS", "k", "0", "0", "1", "km", "STOREDIST", "b", "STORE", "a"));
    }

    [Fact]
    public void Keynum_counts_and_their_errors()
    {
        Assert.Equal([3, 4], Keys("EVAL", "return 1", "2", "a", "b", "x"));
        Assert.Equal([], Keys("EVAL", "return 1", "0", "x"));
        Assert.Equal([], Keys("FCALL", "f", "0"));
        Assert.Equal([1, 3, 4], Keys("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"));
        AssertInvalid("EVAL", "return 1", "notanumber", "a");
        AssertInvalid("EVAL", "return 1", "-1", "a");
        AssertInvalid("EVAL", "return 1", "3", "a", "b");
        AssertInvalid("EVAL", "return 1", "99999999999999999999", "a");
        AssertInvalid("ZUNIONSTORE", "d", "5", "a", "b");
        AssertInvalid("GET");
    }

    [Fact]
    public void Not_key_specs_are_skipped()
    {
        Assert.Equal([], Keys("SPUBLISH", "channel", "message"));
        Assert.Equal([], Keys("SSUBSCRIBE", "a", "b"));
    }

    [Fact]
    public void Containers_use_their_subcommand_specs_even_when_given_unresolved()
    {
        var frame = TestFrames.Create("OBJECT", "ENCODING", "k");
        Span<int> keys = stackalloc int[frame.Count];
        Assert.Equal(1, KeyExtractor.GetKeyIndexes(Table.Find("object")!, frame, keys));
        Assert.Equal(2, keys[0]);
        Assert.Equal([], Keys("OBJECT", "nosuch", "k"));
        Assert.Equal([2], Keys("XINFO", "STREAM", "k", "FULL"));
    }

    [Fact]
    public void Incomplete_specs_are_completed_like_redis_does()
    {
        Assert.Equal([1], Keys("SORT", "k"));
        Assert.Equal([1, 3], Keys("SORT", "k", "STORE", "d"));
        Assert.Equal([1, 8], Keys("SORT", "k", "BY", "w_*", "LIMIT", "0", "10", "STORE", "d", "GET", "#"));
        // BY/GET/LIMIT arguments are skipped, so a pattern called "store" is not the keyword; the last STORE wins.
        Assert.Equal([1], Keys("SORT", "k", "GET", "store", "BY", "store"));
        Assert.Equal([1, 5], Keys("SORT", "k", "STORE", "a", "STORE", "b"));
        Assert.Equal([1], Keys("SORT_RO", "k", "BY", "x", "GET", "y"));

        Assert.Equal([3], Keys("MIGRATE", "h", "6379", "k", "0", "5000"));
        Assert.Equal([7, 8], Keys("MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "a", "b"));
        // AUTH's password and AUTH2's user and password are skipped, so a password called "keys" is harmless.
        Assert.Equal([10, 11], Keys("MIGRATE", "h", "6379", "", "0", "5000", "AUTH2", "u", "keys", "KEYS", "a", "b"));
        Assert.Equal([9, 10], Keys("MIGRATE", "h", "6379", "", "0", "5000", "AUTH", "keys", "KEYS", "a", "b"));
        AssertInvalid("MIGRATE", "h", "6379", "k", "0", "5000", "KEYS", "a");
    }

    [Fact]
    public void Repeated_key_names_are_separate_indexes()
    {
        Assert.Equal([1, 2], Keys("LMOVE", "a", "a", "LEFT", "RIGHT"));
        Assert.Equal([1, 2, 3], Keys("DEL", "a", "a", "a"));
    }

    [Fact]
    public void Many_keys()
    {
        var args = new string[2001];
        args[0] = "MSET";
        for (int i = 1; i < args.Length; i++)
        {
            args[i] = "k" + i;
        }

        var keys = Keys(args);
        Assert.Equal(1000, keys.Length);
        Assert.Equal(1, keys[0]);
        Assert.Equal(1999, keys[^1]);
    }

    [Theory]
    [InlineData("xread COUNT 2 streams a b 0 0")]
    [InlineData("OBJECT encoding k")]
    [InlineData("EVAL script 2 a b c")]
    [InlineData("SORT k by x STORE d")]
    [InlineData("MIGRATE h 1 x 0 5")]
    [InlineData("GEORADIUS k 0 0 1 km storedist d")]
    public void Frames_split_over_many_buffer_segments_give_the_same_keys(string request)
    {
        string[] args = request.Split(' ');
        var contiguous = TestFrames.Keys(Table, segmented: false, args);
        Assert.NotNull(contiguous);
        Assert.NotEmpty(contiguous);
        Assert.Equal(contiguous, TestFrames.Keys(Table, segmented: true, args));
        Assert.Same(Table.Resolve(TestFrames.Create(args)), Table.Resolve(TestFrames.Create(segmented: true, args)));
    }

    [Fact]
    public void A_too_small_destination_is_refused()
    {
        var frame = TestFrames.Create("DEL", "a", "b");
        var ex = Assert.Throws<ArgumentException>(() => KeyExtractor.GetKeyIndexes(Table.Find("del")!, frame, new int[2]));
        Assert.Contains("RequestFrame.Count", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lookup_resolution_and_extraction_allocate_nothing()
    {
        var frames = new[]
        {
            TestFrames.Create("GET", "k"),
            TestFrames.Create("xread", "COUNT", "2", "STREAMS", "a", "b", "0", "0"),
            TestFrames.Create("EVAL", "return 1", "2", "a", "b"),
            TestFrames.Create("OBJECT", "ENCODING", "k"),
            TestFrames.Create("SORT", "k", "STORE", "d"),
            TestFrames.Create("MIGRATE", "h", "1", "", "0", "5", "KEYS", "a", "b"),
            TestFrames.Create("GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d"),
        };
        var destination = new int[16];
        int total = Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            total += Run();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(total > 0);
        Assert.Equal(0, allocated);

        int Run()
        {
            int sum = 0;
            foreach (var frame in frames)
            {
                var spec = Table.Resolve(frame)!;
                sum += KeyExtractor.GetKeyIndexes(spec, frame, destination);
                sum += Table.Find("ZUNIONSTORE"u8) is null ? 0 : 1;
            }

            return sum;
        }
    }
}
