using System.Buffers;
using Tessera.Resp.Client;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;
using Tessera.Resp.Servers;
using Tessera.Resp.Tests.Client;
using Tessera.Resp.Values;

namespace Tessera.Resp.Tests.Commands;

/// <summary>
/// WriteInfo / WriteDocs against redis-server's own COMMAND INFO / COMMAND DOCS, in RESP2 and RESP3, and the
/// generator's path (live replies → table → JSON) against the committed file.
/// </summary>
public sealed class CommandRepliesServerTests(RedisTestServer server) : IClassFixture<RedisTestServer>
{
    private static readonly CommandTable Table = CommandTable.Default;

    public static TheoryData<string, int> Samples()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in (string[])["get", "set", "mset", "xread", "object", "zunionstore", "eval", "migrate", "sort", "georadius", "config", "spublish", "bitfield", "xinfo"])
        {
            data.Add(name, 2);
            data.Add(name, 3);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task WriteInfo_matches_COMMAND_INFO(string name, int protocol)
    {
        await using var client = await ConnectAsync(protocol);
        var reply = await client.CallAsync("COMMAND", "INFO", name);
        var expected = NormalizeInfo(Assert.Single(reply.Items!));

        var actual = Single(w => CommandTable.WriteInfo(w, Table.Find(name)!, (RespProtocol)protocol));
        AssertSame(expected, actual, $"COMMAND INFO {name} (RESP{protocol})");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task WriteDocs_matches_COMMAND_DOCS(string name, int protocol)
    {
        await using var client = await ConnectAsync(protocol);
        var reply = await client.CallAsync("COMMAND", "DOCS", name);
        Assert.Equal(2, reply.Items!.Count);

        var (actualName, actualDocs) = Pair(w => CommandTable.WriteDocs(w, Table.Find(name)!, (RespProtocol)protocol));
        AssertSame(reply.Items[0], actualName, $"COMMAND DOCS {name} name (RESP{protocol})");
        AssertSame(NormalizeDocs(reply.Items[1]), actualDocs, $"COMMAND DOCS {name} (RESP{protocol})");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Every_command_is_written_as_the_server_writes_it(int protocol)
    {
        await using var client = await ConnectAsync(protocol);
        var info = await client.CallAsync("COMMAND", "INFO");
        var docs = await client.CallAsync("COMMAND", "DOCS");
        Assert.Equal(Table.Commands.Count, info.Items!.Count);
        Assert.Equal(Table.Commands.Count * 2, docs.Items!.Count);

        foreach (var entry in info.Items)
        {
            string name = entry.Items![0].AsString()!;
            var spec = Table.Find(name);
            Assert.True(spec is not null, $"the server has {name}, the table does not");
            AssertSame(NormalizeInfo(entry), Single(w => CommandTable.WriteInfo(w, spec, (RespProtocol)protocol)), $"COMMAND INFO {name} (RESP{protocol})");
        }

        for (int i = 0; i < docs.Items.Count; i += 2)
        {
            string name = docs.Items[i].AsString()!;
            var (_, actual) = Pair(w => CommandTable.WriteDocs(w, Table.Find(name)!, (RespProtocol)protocol));
            AssertSame(NormalizeDocs(docs.Items[i + 1]), actual, $"COMMAND DOCS {name} (RESP{protocol})");
        }
    }

    /// <summary>What tools/CommandTableGen does, checked against the committed file (same Redis version installed here).</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_table_built_from_the_live_server_is_the_committed_file(int protocol)
    {
        await using var client = await ConnectAsync(protocol);
        string serverInfo = (await client.CallAsync("INFO", "server")).AsString()!;
        string version = ServerInfo.Parse(serverInfo)["redis_version"]!;
        Assert.Equal(Table.RedisVersion, version);

        var built = CommandTable.FromServerReplies(await client.CallAsync("COMMAND", "INFO"), await client.CallAsync("COMMAND", "DOCS"), version);
        using var json = new MemoryStream();
        built.WriteJson(json);
        string committed = File.ReadAllText(CommandTableTests.CommittedJsonPath());
        Assert.Equal(committed, System.Text.Encoding.UTF8.GetString(json.ToArray()));
    }

    private async Task<RespClient> ConnectAsync(int protocol)
    {
        var client = await server.ConnectAsync();
        if (protocol == 3)
        {
            var hello = await client.CallAsync("HELLO", "3");
            Assert.False(hello.IsError, hello.ToString());
        }

        return client;
    }

    private static RespValue Single(Action<IBufferWriter<byte>> write)
    {
        var values = ReadAll(write);
        return Assert.Single(values);
    }

    private static (RespValue Name, RespValue Docs) Pair(Action<IBufferWriter<byte>> write)
    {
        var values = ReadAll(write);
        Assert.Equal(2, values.Count);
        return (values[0], values[1]);
    }

    private static List<RespValue> ReadAll(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        var input = new ReadOnlySequence<byte>(buffer.WrittenMemory);
        var values = new List<RespValue>();
        while (input.Length > 0)
        {
            Assert.Equal(ParseStatus.Complete, RespValueReader.TryRead(input, out var value, out long consumed));
            values.Add(value!);
            input = input.Slice(consumed);
        }

        return values;
    }

    /// <summary>Redis lists subcommands in its hash table's (random per process) order; the table sorts them by name.</summary>
    private static RespValue NormalizeInfo(RespValue entry)
    {
        var items = entry.Items!.ToArray();
        var subs = items[9];
        if (subs.Items is { Count: > 0 })
        {
            var sorted = subs.Items.Select(NormalizeInfo).OrderBy(s => s.Items![0].AsString(), StringComparer.Ordinal).ToArray();
            items[9] = new RespValue { Kind = subs.Kind, Items = sorted };
        }

        return new RespValue { Kind = entry.Kind, Items = items };
    }

    private static RespValue NormalizeDocs(RespValue docs)
    {
        var items = docs.Items!.ToArray();
        for (int i = 0; i < items.Length; i += 2)
        {
            if (items[i].AsString() == "subcommands")
            {
                var pairs = items[i + 1].Items!;
                var sorted = Enumerable.Range(0, pairs.Count / 2)
                    .Select(p => (Name: pairs[2 * p], Docs: NormalizeDocs(pairs[(2 * p) + 1])))
                    .OrderBy(p => p.Name.AsString(), StringComparer.Ordinal)
                    .SelectMany(p => new[] { p.Name, p.Docs })
                    .ToArray();
                items[i + 1] = new RespValue { Kind = items[i + 1].Kind, Items = sorted };
            }
        }

        return new RespValue { Kind = docs.Kind, Items = items };
    }

    private static void AssertSame(RespValue expected, RespValue actual, string what)
    {
        if (!expected.Equals(actual))
        {
            Assert.Fail($"{what} differs.\nRedis:\n{expected}\n\nTable:\n{actual}");
        }
    }
}
