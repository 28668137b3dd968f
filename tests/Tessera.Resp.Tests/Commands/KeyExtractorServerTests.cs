using Tessera.Resp.Commands;
using Tessera.Resp.Tests.Client;
using Tessera.Resp.Values;

namespace Tessera.Resp.Tests.Commands;

/// <summary>KeyExtractor against the real thing: redis-server's COMMAND GETKEYS for the same request.</summary>
public sealed class KeyExtractorServerTests(RedisTestServer server) : IClassFixture<RedisTestServer>
{
    public static TheoryData<string[]> Requests() =>
    [
        ["GET", "k"],
        ["SET", "k", "v"],
        ["SET", "k", "v", "NX", "PX", "100", "KEEPTTL"],
        ["SET", "k", "v", "GET"],
        ["SET", "k", "v", "EX", "10", "GET"],
        ["GETEX", "k", "EX", "10"],
        ["MSET", "a", "1", "b", "2", "c", "3"],
        ["MSETNX", "a", "1", "b", "2"],
        ["MGET", "a", "b", "c"],
        ["DEL", "a", "b"],
        ["UNLINK", "a", "b", "c"],
        ["EXISTS", "a", "b"],
        ["TOUCH", "a"],
        ["RENAME", "a", "b"],
        ["COPY", "a", "b", "REPLACE"],
        ["SMOVE", "a", "b", "m"],
        ["LMOVE", "a", "b", "LEFT", "RIGHT"],
        ["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"],
        ["RPOPLPUSH", "a", "b"],
        ["BLPOP", "a", "b", "0"],
        ["BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "3"],
        ["LMPOP", "3", "a", "b", "c", "RIGHT"],
        ["BZMPOP", "1.5", "1", "a", "MIN"],
        ["ZMPOP", "2", "a", "b", "MAX", "COUNT", "1"],
        ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"],
        ["ZINTERSTORE", "d", "3", "a", "b", "c", "AGGREGATE", "MAX"],
        ["ZDIFFSTORE", "d", "2", "a", "b"],
        ["ZUNION", "2", "a", "b", "WITHSCORES"],
        ["ZINTERCARD", "2", "a", "b", "LIMIT", "10"],
        ["ZRANGESTORE", "d", "src", "0", "-1"],
        ["SINTERCARD", "2", "a", "b"],
        ["SINTERSTORE", "d", "a", "b"],
        ["EVAL", "return 1", "2", "a", "b", "arg1", "arg2"],
        ["EVALSHA", "0123456789012345678901234567890123456789", "1", "a", "arg"],
        ["EVAL_RO", "return 1", "1", "a"],
        ["FCALL", "myfunc", "2", "a", "b", "arg"],
        ["FCALL_RO", "myfunc", "1", "a"],
        ["XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0"],
        ["XREAD", "BLOCK", "100", "STREAMS", "a", "$"],
        ["XREAD", "STREAMS", "a", "b", "0"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"],
        ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "NOACK", "STREAMS", "a", "b", ">", ">"],
        ["XADD", "s", "*", "f", "v"],
        ["XINFO", "STREAM", "k"],
        ["XINFO", "GROUPS", "k"],
        ["GEORADIUS", "k", "0", "0", "10", "km"],
        ["GEORADIUS", "k", "0", "0", "10", "km", "STORE", "d"],
        ["GEORADIUS", "k", "0", "0", "10", "km", "WITHDIST", "STOREDIST", "d"],
        ["GEORADIUSBYMEMBER", "k", "m", "10", "km", "STORE", "d"],
        ["GEOSEARCHSTORE", "d", "src", "FROMMEMBER", "m", "BYRADIUS", "1", "km"],
        ["SORT", "k"],
        ["SORT", "k", "STORE", "d"],
        ["SORT", "k", "BY", "w_*", "LIMIT", "0", "5", "GET", "#", "ALPHA", "STORE", "d"],
        ["SORT_RO", "k", "BY", "w_*"],
        ["MIGRATE", "h", "6379", "k", "0", "5000"],
        ["MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "a", "b"],
        ["MIGRATE", "h", "6379", "", "0", "5000", "COPY", "REPLACE", "AUTH2", "u", "p", "KEYS", "a", "b"],
        ["OBJECT", "ENCODING", "k"],
        ["OBJECT", "FREQ", "k"],
        ["MEMORY", "USAGE", "k"],
        ["MEMORY", "USAGE", "k", "SAMPLES", "5"],
        ["BITOP", "AND", "d", "a", "b"],
        ["BITFIELD", "k", "GET", "u8", "0"],
        ["BITFIELD_RO", "k", "GET", "u8", "0"],
        ["PFMERGE", "d", "a", "b"],
        ["PFCOUNT", "a", "b"],
        ["LCS", "a", "b"],
        ["HSET", "h", "f", "v", "f2", "v2"],
        ["EXPIRE", "k", "10", "NX"],
        ["WATCH", "a", "b"],
        ["RESTORE", "k", "0", "payload"],
        ["SUNIONSTORE", "d", "a", "b", "c"],
    ];

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Key_indexes_match_COMMAND_GETKEYS(string[] request)
    {
        await using var client = await server.ConnectAsync();
        object[] getKeys = ["COMMAND", "GETKEYS", .. request];
        var reply = await client.CallAsync(getKeys);
        Assert.False(reply.IsError, $"COMMAND GETKEYS {string.Join(' ', request)}: {reply}");

        int[] expected = ToIndexes(request, reply);
        int[]? actual = TestFrames.Keys(CommandTable.Default, request);
        Assert.NotNull(actual);
        Assert.Equal(expected, actual);
    }

    public static TheoryData<string[]> Refused() =>
    [
        ["ZUNIONSTORE", "d", "5", "a", "b"],
        ["MIGRATE", "h", "6379", "k", "0", "5000", "KEYS", "a"],
        ["ZINTERCARD", "3", "a", "b"],
        ["XREAD", "COUNT", "1", "STREAMS", "a"],
    ];

    /// <summary>Where KeyExtractor says the arguments do not fit (-1), Redis refuses to name the keys too.</summary>
    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Arguments_that_do_not_fit_are_refused_by_both(string[] request)
    {
        await using var client = await server.ConnectAsync();
        object[] getKeys = ["COMMAND", "GETKEYS", .. request];
        var reply = await client.CallAsync(getKeys);
        Assert.True(reply.IsError, $"COMMAND GETKEYS {string.Join(' ', request)} answered {reply}");
        Assert.Null(TestFrames.Keys(CommandTable.Default, request));
    }

    /// <summary>Maps the key names Redis answered back to argument indexes (each index used once), sorted.</summary>
    private static int[] ToIndexes(string[] request, RespValue reply)
    {
        var used = new bool[request.Length];
        var indexes = new List<int>();
        foreach (var key in reply.Items ?? [])
        {
            string name = key.AsString()!;
            int index = -1;
            for (int i = 1; i < request.Length; i++)
            {
                if (!used[i] && request[i] == name)
                {
                    index = i;
                    break;
                }
            }

            Assert.True(index > 0, $"Redis named key '{name}', which is not an argument of {string.Join(' ', request)}");
            used[index] = true;
            indexes.Add(index);
        }

        indexes.Sort();
        return [.. indexes];
    }
}
