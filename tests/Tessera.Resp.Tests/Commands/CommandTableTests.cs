using System.Runtime.CompilerServices;
using System.Text;
using Tessera.Resp.Commands;

namespace Tessera.Resp.Tests.Commands;

public sealed class CommandTableTests
{
    private static readonly CommandTable Table = CommandTable.Default;

    [Fact]
    public void Default_loads_the_embedded_table_generated_from_redis_7_0()
    {
        Assert.StartsWith("7.0.", Table.RedisVersion, StringComparison.Ordinal);
        Assert.True(Table.Commands.Count > 200, $"only {Table.Commands.Count} commands");
        Assert.Same(Table, CommandTable.Default);
    }

    [Fact]
    public void Default_is_created_once_when_many_threads_ask_at_the_same_time()
    {
        var seen = new CommandTable[16];
        Parallel.For(0, seen.Length, i => seen[i] = CommandTable.Default);
        Assert.All(seen, table => Assert.Same(Table, table));
    }

    [Fact]
    public void Embedded_resource_is_the_committed_file_and_rewriting_it_gives_the_same_bytes()
    {
        byte[] committed = File.ReadAllBytes(CommittedJsonPath());
        using var resource = typeof(CommandTable).Assembly.GetManifestResourceStream("Tessera.Resp.Commands.redis-commands.json");
        Assert.NotNull(resource);
        using var embedded = new MemoryStream();
        resource.CopyTo(embedded);
        Assert.Equal(committed, embedded.ToArray());

        using var rewritten = new MemoryStream();
        CommandTable.Load(new MemoryStream(committed)).WriteJson(rewritten);
        Assert.Equal(Encoding.UTF8.GetString(committed), Encoding.UTF8.GetString(rewritten.ToArray()));
    }

    [Fact]
    public void Commands_and_subcommands_are_sorted_by_name_and_subcommands_know_their_parent()
    {
        for (int i = 1; i < Table.Commands.Count; i++)
        {
            Assert.True(string.CompareOrdinal(Table.Commands[i - 1].Name, Table.Commands[i].Name) < 0);
        }

        var config = Table.Find("config")!;
        Assert.True(config.HasSubcommands);
        Assert.All(config.Subcommands, sub =>
        {
            Assert.Same(config, sub.Parent);
            Assert.StartsWith("config|", sub.Name, StringComparison.Ordinal);
        });
        Assert.Null(config.Parent);
    }

    [Theory]
    [InlineData("get")]
    [InlineData("GET")]
    [InlineData("gEt")]
    public void Find_by_bytes_and_by_string_ignores_case(string name)
    {
        var bytes = Table.Find(Encoding.ASCII.GetBytes(name));
        Assert.NotNull(bytes);
        Assert.Equal("get", bytes.Name);
        Assert.Same(bytes, Table.Find(name));
    }

    [Fact]
    public void Find_returns_null_for_unknown_empty_non_ascii_and_overlong_names()
    {
        Assert.Null(Table.Find("nosuchcommand"u8));
        Assert.Null(Table.Find(""u8));
        Assert.Null(Table.Find("g\u00e9t"u8));
        Assert.Null(Table.Find(new byte[] { (byte)'g', 0xff, (byte)'t' }));
        Assert.Null(Table.Find(Encoding.ASCII.GetBytes(new string('a', 65))));
        Assert.Null(Table.Find(Encoding.ASCII.GetBytes("get" + new string(' ', 200))));
        Assert.Null(Table.Find("nosuchcommand"));
    }

    [Fact]
    public void Find_by_string_accepts_subcommands_with_a_bar_or_a_space()
    {
        var encoding = Table.Find("object|encoding");
        Assert.NotNull(encoding);
        Assert.Equal("object|encoding", encoding.Name);
        Assert.Equal("OBJECT ENCODING", encoding.DisplayName);
        Assert.Same(encoding, Table.Find("OBJECT ENCODING"));
        Assert.Same(encoding, Table.Find("Object|Encoding"));
        Assert.Same(Table.Find("object"), encoding.Parent);
        Assert.Same(encoding, Table.Find("object")!.FindSubcommand("ENCODING"u8));
        Assert.Null(Table.Find("object|nosuch"));
        Assert.Null(Table.Find("nosuch|encoding"));
        Assert.Null(Table.Find("get")!.FindSubcommand("x"u8));
    }

    [Fact]
    public void Resolve_picks_the_subcommand_of_containers_and_falls_back_to_the_container()
    {
        Assert.Equal("object|encoding", Table.Resolve(TestFrames.Create("OBJECT", "encoding", "k"))!.Name);
        Assert.Equal("xinfo|stream", Table.Resolve(TestFrames.Create("xinfo", "STREAM", "k"))!.Name);
        Assert.Equal("config|get", Table.Resolve(TestFrames.Create("Config", "Get", "maxmemory"))!.Name);
        Assert.Equal("object", Table.Resolve(TestFrames.Create("OBJECT", "nosuch", "k"))!.Name);
        Assert.Equal("object", Table.Resolve(TestFrames.Create("OBJECT"))!.Name);
        Assert.Equal("get", Table.Resolve(TestFrames.Create("get", "encoding"))!.Name);
        Assert.Null(Table.Resolve(TestFrames.Create("nosuch", "k")));
        Assert.Null(Table.Resolve(new Tessera.Resp.Protocol.RequestFrame()));
    }

    [Fact]
    public void Arity_matches_redis()
    {
        var get = Table.Find("get")!;
        Assert.Equal(2, get.Arity);
        Assert.True(get.ArityAllows(2));
        Assert.False(get.ArityAllows(3));

        var set = Table.Find("set")!;
        Assert.Equal(-3, set.Arity);
        Assert.False(set.ArityAllows(2));
        Assert.True(set.ArityAllows(3));
        Assert.True(set.ArityAllows(9));

        Assert.Equal(3, Table.Find("object|encoding")!.Arity);
        Assert.Equal(-2, Table.Find("object")!.Arity);
    }

    [Theory]
    [InlineData("get", CommandFlags.ReadOnly | CommandFlags.Fast)]
    [InlineData("set", CommandFlags.Write | CommandFlags.DenyOom)]
    [InlineData("mget", CommandFlags.ReadOnly | CommandFlags.Fast)]
    [InlineData("blpop", CommandFlags.Write | CommandFlags.Blocking)]
    [InlineData("xread", CommandFlags.ReadOnly | CommandFlags.Blocking | CommandFlags.MovableKeys)]
    [InlineData("subscribe", CommandFlags.PubSub | CommandFlags.NoScript)]
    [InlineData("publish", CommandFlags.PubSub | CommandFlags.Fast)]
    [InlineData("flushall", CommandFlags.Write)]
    [InlineData("shutdown", CommandFlags.Admin | CommandFlags.NoScript)]
    [InlineData("config|set", CommandFlags.Admin | CommandFlags.NoScript)]
    [InlineData("replicaof", CommandFlags.Admin | CommandFlags.NoScript)]
    [InlineData("debug", CommandFlags.Admin | CommandFlags.NoScript)]
    [InlineData("multi", CommandFlags.NoScript | CommandFlags.Fast)]
    [InlineData("auth", CommandFlags.NoAuth | CommandFlags.NoScript)]
    [InlineData("eval", CommandFlags.NoScript | CommandFlags.MovableKeys)]
    [InlineData("sort", CommandFlags.Write | CommandFlags.MovableKeys)]
    [InlineData("migrate", CommandFlags.Write | CommandFlags.MovableKeys)]
    [InlineData("zunionstore", CommandFlags.Write | CommandFlags.MovableKeys)]
    [InlineData("eval_ro", CommandFlags.ReadOnly | CommandFlags.MovableKeys)]
    public void Flags_come_from_redis(string name, CommandFlags expected)
    {
        var spec = Table.Find(name);
        Assert.NotNull(spec);
        Assert.True(spec.Has(expected), $"{name}: {spec.Flags} lacks {expected}");
    }

    [Fact]
    public void Flags_are_not_invented()
    {
        Assert.False(Table.Find("get")!.Has(CommandFlags.Write));
        Assert.False(Table.Find("get")!.MovableKeys);
        Assert.False(Table.Find("set")!.Has(CommandFlags.ReadOnly));
        Assert.False(Table.Find("lpop")!.Has(CommandFlags.Blocking));
        Assert.Equal(["readonly", "fast"], Table.Find("get")!.FlagNames);
        Assert.Equal(["@read", "@string", "@fast"], Table.Find("get")!.AclCategories);
    }

    [Fact]
    public void HasKeys_ignores_not_key_specs()
    {
        Assert.True(Table.Find("get")!.HasKeys);
        Assert.True(Table.Find("eval")!.HasKeys);
        Assert.True(Table.Find("object|encoding")!.HasKeys);
        Assert.False(Table.Find("object")!.HasKeys);
        Assert.False(Table.Find("ping")!.HasKeys);
        Assert.False(Table.Find("publish")!.HasKeys);
        // SPUBLISH's shard channel is described by a NOT_KEY spec: hashed like a key, but not a key.
        var spublish = Table.Find("spublish")!;
        Assert.Single(spublish.KeySpecs);
        Assert.False(spublish.KeySpecs[0].IsKey);
        Assert.False(spublish.HasKeys);
    }

    [Fact]
    public void Key_specs_carry_begin_search_and_find_keys()
    {
        var xread = Table.Find("xread")!.KeySpecs.Single();
        Assert.Equal(BeginSearchKind.Keyword, xread.BeginSearch);
        Assert.Equal("STREAMS", xread.Keyword);
        Assert.Equal(1, xread.StartFrom);
        Assert.Equal(FindKeysKind.Range, xread.FindKeys);
        Assert.Equal(-1, xread.LastKey);
        Assert.Equal(2, xread.Limit);
        Assert.Equal(KeySpecFlags.RO | KeySpecFlags.Access, xread.Flags);

        var eval = Table.Find("eval")!.KeySpecs.Single();
        Assert.Equal(BeginSearchKind.Index, eval.BeginSearch);
        Assert.Equal(2, eval.Index);
        Assert.Equal(FindKeysKind.Keynum, eval.FindKeys);
        Assert.Equal(0, eval.KeyNumIndex);
        Assert.Equal(1, eval.FirstKey);
        Assert.Equal(1, eval.KeyStep);

        var mset = Table.Find("mset")!.KeySpecs.Single();
        Assert.Equal(2, mset.KeyStep);
        Assert.Equal(-1, mset.LastKey);
        Assert.Equal((1, 1, -1, 2), (Table.Find("mset")!.FirstKey, mset.Index, Table.Find("mset")!.LastKey, Table.Find("mset")!.Step));

        var migrate = Table.Find("migrate")!;
        Assert.True(migrate.HasIncompleteKeySpecs);
        Assert.Contains(migrate.KeySpecs, k => (k.Flags & KeySpecFlags.Incomplete) != 0 && k.Keyword == "KEYS" && k.StartFrom == -2);
        Assert.True(Table.Find("sort")!.HasIncompleteKeySpecs);
        Assert.Contains(Table.Find("sort")!.KeySpecs, k => k.BeginSearch == BeginSearchKind.Unknown && k.Notes is not null);
        Assert.False(Table.Find("get")!.HasIncompleteKeySpecs);
    }

    [Fact]
    public void Docs_carry_summary_history_and_the_argument_tree()
    {
        var set = Table.Find("set")!;
        Assert.Equal("string", set.Group);
        Assert.Equal("1.0.0", set.Since);
        Assert.Equal("O(1)", set.Complexity);
        Assert.NotEmpty(set.Summary);
        Assert.Contains(set.History, h => h.Since == "6.2.0" && h.Changes.Contains("GET", StringComparison.Ordinal));

        var key = set.Arguments[0];
        Assert.Equal(("key", "key", 0), (key.Name, key.Type, key.KeySpecIndex));
        var expiration = set.Arguments.Single(a => a.Name == "expiration");
        Assert.Equal("oneof", expiration.Type);
        Assert.Contains("optional", expiration.Flags);
        Assert.Contains(expiration.Arguments, a => a.Token == "EX" && a.Type == "integer");

        var georadius = Table.Find("georadius")!;
        Assert.Contains("deprecated", georadius.DocFlags);
        Assert.Equal("6.2.0", georadius.DeprecatedSince);
        Assert.NotEmpty(georadius.ReplacedBy);
    }

    /// <summary>The source file beside this test: tests/Tessera.Resp.Tests/Commands → src/Tessera.Resp/Commands.</summary>
    internal static string CommittedJsonPath([CallerFilePath] string thisFile = "")
    {
        string repository = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
        return Path.Combine(repository, "src", "Tessera.Resp", "Commands", "redis-commands.json");
    }
}
