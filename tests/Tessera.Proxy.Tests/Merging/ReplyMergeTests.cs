using System.Buffers;
using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Merging;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Tests.Merging;

/// <summary>
/// The merges of split commands, alone: each part a RESP reply as a group's redis-server sends it, the result what
/// one redis-server holding every key would answer. End to end (real groups, real clients) in Sessions/MultiKeyTests.
/// </summary>
public sealed class ReplyMergeTests
{
    [Fact]
    public void Mget_values_come_back_in_the_clients_key_order()
    {
        // Client: MGET a b c d; group 1 got (b, d), group 2 got (a, c).
        var keys = new KeyPlacement(4);
        keys.Place(0, part: 1, position: 0);
        keys.Place(1, part: 0, position: 0);
        keys.Place(2, part: 1, position: 1);
        keys.Place(3, part: 0, position: 1);
        var merged = Merge(MergeKind.ValuesInOrder, ["*2\r\n$1\r\nB\r\n$-1\r\n", "*2\r\n$1\r\nA\r\n$2\r\nCC\r\n"], keys);
        Assert.Equal("*4\r\n$1\r\nA\r\n$1\r\nB\r\n$2\r\nCC\r\n$-1\r\n", merged);
    }

    [Fact]
    public void Mget_parts_that_are_not_arrays_are_an_error()
    {
        var keys = new KeyPlacement(1);
        keys.Place(0, 0, 0);
        Assert.Equal("ERR unexpected reply from a backend to a split MGET", MergeError(MergeKind.ValuesInOrder, ["+OK\r\n"], keys));
    }

    [Fact]
    public void Integers_add_up_and_the_largest_wins()
    {
        Assert.Equal(":5\r\n", Merge(MergeKind.SumIntegers, [":2\r\n", ":0\r\n", ":3\r\n"]));
        Assert.Equal(":7\r\n", Merge(MergeKind.MaxInteger, [":2\r\n", ":7\r\n", ":3\r\n"]));
        Assert.Equal("ERR unexpected reply from a backend to a split command: expected an integer", MergeError(MergeKind.SumIntegers, [":2\r\n", "$1\r\nx\r\n"]));
    }

    [Fact]
    public void Mset_is_ok_only_when_every_part_is()
    {
        Assert.Equal("+OK\r\n", Merge(MergeKind.AllOk, ["+OK\r\n", "+OK\r\n"]));
        Assert.Equal("ERR unexpected reply from a backend to a split MSET", MergeError(MergeKind.AllOk, ["+OK\r\n", ":1\r\n"]));
    }

    [Fact]
    public void Keys_union_keeps_first_seen_order_and_drops_repeats()
    {
        Assert.Equal("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", Merge(MergeKind.UnionArrays, ["*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", "*0\r\n"]));
    }

    [Fact]
    public void Name_count_pairs_add_up_by_name()
    {
        var merged = Merge(MergeKind.SumPairs, ["*4\r\n$2\r\nch\r\n:1\r\n$2\r\nnx\r\n:0\r\n", "*2\r\n$2\r\nch\r\n:2\r\n"]);
        Assert.Equal("*4\r\n$2\r\nch\r\n:3\r\n$2\r\nnx\r\n:0\r\n", merged);
    }

    [Fact]
    public void Flags_are_one_only_where_every_group_says_one()
    {
        Assert.Equal("*3\r\n:1\r\n:0\r\n:0\r\n", Merge(MergeKind.AllFlags, ["*3\r\n:1\r\n:1\r\n:0\r\n", "*3\r\n:1\r\n:0\r\n:1\r\n"]));
        Assert.Equal("ERR unexpected reply from a backend: expected an array of flags", MergeError(MergeKind.AllFlags, ["*1\r\n:1\r\n", "*2\r\n:1\r\n:1\r\n"]));
    }

    [Fact]
    public void First_reply_and_random_non_null()
    {
        Assert.Equal("+OK\r\n", Merge(MergeKind.FirstReply, ["+OK\r\n", "+OK\r\n"]));
        Assert.Equal("$-1\r\n", Merge(MergeKind.RandomNonNull, ["$-1\r\n", "$-1\r\n"]));
        Assert.Equal("$1\r\nk\r\n", Merge(MergeKind.RandomNonNull, ["$-1\r\n", "$1\r\nk\r\n", "$-1\r\n"]));
    }

    [Fact]
    public void Info_keyspace_sums_keys_and_expires_and_weighs_avg_ttl_by_expires()
    {
        string Info(string db) => Bulk($"# Keyspace\r\n{db}");
        var merged = Merge(MergeKind.InfoKeyspace, [Info("db0:keys=10,expires=2,avg_ttl=1000\r\n"), Info("db0:keys=5,expires=6,avg_ttl=3000\r\n"), Info("")], infoPrefix: "# Server\r\nx:1\r\n\r\n");
        Assert.Equal(Bulk("# Server\r\nx:1\r\n\r\n# Keyspace\r\ndb0:keys=15,expires=8,avg_ttl=2500\r\n"), merged);

        // No key anywhere: the section header alone, as redis-server answers for an empty db.
        Assert.Equal(Bulk("# Keyspace\r\n"), Merge(MergeKind.InfoKeyspace, [Info(""), Info("")]));
    }

    [Fact]
    public void The_first_error_reply_is_named()
    {
        Assert.Null(ReplyMerge.FirstError([Bytes(":1\r\n")]));
        Assert.Equal("WRONGTYPE Operation against a key holding the wrong kind of value", ReplyMerge.FirstError([Bytes(":1\r\n"), Bytes("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"), Bytes("-ERR other\r\n")]));
    }

    [Fact]
    public void A_split_completes_its_parent_once_whatever_order_the_parts_arrive_in()
    {
        var parent = new CapturingRequest();
        var split = new SplitOperation(parent, MergeKind.SumIntegers, partCount: 3, keyCount: 0);
        var batch = new FlushBatch();
        split.PartRequest(2).OnReply(Sequence(":4\r\n"), batch);
        split.PartRequest(0).OnReply(Sequence(":1\r\n"), batch);
        Assert.Equal(0, parent.Calls);
        split.PartRequest(1).OnReply(Sequence(":2\r\n"), batch);
        Assert.Equal(1, parent.Calls);
        Assert.Equal(":7\r\n", parent.Reply);
    }

    [Fact]
    public void A_split_fails_with_the_first_part_in_order_that_failed_or_answered_an_error()
    {
        var parent = RunSplit(MergeKind.SumIntegers, (2, null, "ERR backend 127.0.0.1:3 failed"), (1, "-WRONGTYPE no\r\n", null), (0, ":1\r\n", null));
        Assert.Equal(1, parent.Calls);
        Assert.Equal("WRONGTYPE no", parent.Error);
    }

    // Texts as redis-server 7.0.15 answers them (checked with redis-cli against a real server).
    private const string NotBusy = "-NOTBUSY No scripts in execution right now.\r\n";
    private const string Unkillable = "-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n";
    private const string BusyFunction = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";

    [Fact]
    public void A_kill_is_ok_when_any_master_killed_its_script()
    {
        Assert.Equal("+OK\r\n", Merge(MergeKind.Kill, [NotBusy, "+OK\r\n", Unkillable]));
        Assert.Equal("+OK\r\n", Merge(MergeKind.Kill, ["-ERR backend 127.0.0.1:1 is down\r\n", "+OK\r\n"]));
    }

    [Fact]
    public void A_kill_that_killed_nothing_passes_unkillable_then_busy_then_other_errors_and_notbusy_last()
    {
        Assert.Equal(Unkillable, Merge(MergeKind.Kill, [NotBusy, BusyFunction, Unkillable]));
        Assert.Equal(BusyFunction, Merge(MergeKind.Kill, [NotBusy, "-ERR backend down\r\n", BusyFunction]));
        Assert.Equal("-ERR backend down\r\n", Merge(MergeKind.Kill, [NotBusy, "-ERR backend down\r\n"]));
        Assert.Equal(NotBusy, Merge(MergeKind.Kill, [NotBusy, NotBusy]));
        Assert.Equal("ERR unexpected reply from a backend to a KILL: expected OK or an error", MergeError(MergeKind.Kill, [NotBusy, ":1\r\n"]));
    }

    [Fact]
    public void A_kill_split_merges_error_parts_and_failures_instead_of_failing_on_the_first()
    {
        var parent = RunSplit(MergeKind.Kill, (0, null, "ERR backend 127.0.0.1:3 failed"), (1, NotBusy, null), (2, "+OK\r\n", null));
        Assert.Equal(1, parent.Calls);
        Assert.Equal("+OK\r\n", parent.Reply);
        Assert.Equal("-ERR backend 127.0.0.1:3 failed\r\n", RunSplit(MergeKind.Kill, (0, NotBusy, null), (1, null, "ERR backend 127.0.0.1:3 failed")).Reply);
    }

    /// <summary>Runs a split of <paramref name="parts"/>.Length parts, completing them in the order given, each with a reply or a failure.</summary>
    private static CapturingRequest RunSplit(MergeKind kind, params (int Part, string? Reply, string? Failure)[] parts)
    {
        var parent = new CapturingRequest();
        var split = new SplitOperation(parent, kind, parts.Length, keyCount: 0);
        var batch = new FlushBatch();
        foreach (var (part, reply, failure) in parts)
        {
            if (failure is not null)
            {
                split.PartRequest(part).OnFailure(failure, batch);
            }
            else
            {
                split.PartRequest(part).OnReply(Sequence(reply!), batch);
            }
        }

        return parent;
    }

    private static string Merge(MergeKind kind, string[] parts, KeyPlacement? keys = null, string? infoPrefix = null)
    {
        var output = new ArrayBufferWriter<byte>();
        var error = ReplyMerge.Merge(kind, [.. parts.Select(Bytes)], output, keys, infoPrefix);
        Assert.Null(error);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string? MergeError(MergeKind kind, string[] parts, KeyPlacement? keys = null) =>
        ReplyMerge.Merge(kind, [.. parts.Select(Bytes)], new ArrayBufferWriter<byte>(), keys);

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static ReadOnlySequence<byte> Sequence(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string Bulk(string text) => $"${Encoding.UTF8.GetByteCount(text)}\r\n{text}\r\n";

    private sealed class CapturingRequest : BackendRequest
    {
        public int Calls { get; private set; }

        public string? Reply { get; private set; }

        public string? Error { get; private set; }

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            Calls++;
            Reply = Encoding.UTF8.GetString(reply.ToArray());
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
            Calls++;
            Error = error;
        }
    }
}
