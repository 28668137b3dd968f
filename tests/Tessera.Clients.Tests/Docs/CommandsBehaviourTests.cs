using System.Globalization;
using CommandsDoc;
using Tessera.Clients.Tests.Support;
using Tessera.Resp.Client;
using Tessera.Resp.Commands;
using Tessera.Resp.Values;

namespace Tessera.Clients.Tests.Docs;

/// <summary>
/// The committed docs/commands.md against a running proxy: every command the page calls refused is answered with the
/// page's reason, and a sample of commands (including ones that are refused today but planned) behaves as its row
/// says. The expectations come from the page, so the tests stay right as features land and the page is regenerated.
/// </summary>
[Collection(ProxyCollection.Name)]
public sealed class CommandsBehaviourTests(ProxyCluster proxy)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private static readonly Lazy<Dictionary<string, CompatibilityRow>> Page = new(() =>
        CompatibilityPage.Parse(File.ReadAllText(Repository.CommandsPage)).ToDictionary(r => r.Command, StringComparer.Ordinal));

    /// <summary>
    /// Invocations whose row decides what must happen. Valid Redis calls with harmless effects, so a command that
    /// becomes supported simply runs. Grouped by the issue item that may change them.
    /// </summary>
    public static TheoryData<string> Samples { get; } = new()
    {
        // Plain keyed and split commands, answered by the proxy today.
        "GET {s}k", "SET {s}k v", "MSET s:a 1 s:b 2", "MGET s:a s:b", "DEL s:a s:b", "EXISTS s:a s:b", "HSET {s}h f v",
        "OBJECT ENCODING {s}h", "EXPIRE {s}k 100", "TTL {s}k", "COPY {s}k {s}k2", "SMOVE {s}a {s}b m", "LMOVE {s}l1 {s}l2 LEFT RIGHT",
        "SORT {s}l1 STORE {s}dest", "ZUNIONSTORE {s}zd 2 {s}z1 {s}z2", "GEOSEARCHSTORE {s}gd {s}g FROMLONLAT 0 0 BYRADIUS 1 km",
        "DUMP {s}k", "XADD {s}x * f v", "XREAD COUNT 1 STREAMS {s}x 0",
        // Answered by the proxy itself.
        "PING", "ECHO hi", "SELECT 0", "TIME", "DBSIZE", "INFO server", "COMMAND COUNT", "CLIENT SETNAME sample", "CLIENT GETNAME",
        // Transactions (item 2).
        "MULTI", "WATCH {s}k", "UNWATCH",
        // Blocking commands (item 3).
        "BLPOP {s}empty 0.01", "BRPOP {s}empty 0.01", "BZPOPMIN {s}zempty 0.01", "XREAD BLOCK 10 STREAMS {s}x $", "WAIT 0 0",
        // Pub/sub (item 4).
        "PUBLISH sample:chan m", "SUBSCRIBE sample:chan", "PSUBSCRIBE sample:*", "SSUBSCRIBE sample:chan", "PUBSUB CHANNELS",
        // Scripts and functions (item 5).
        "EVAL 'return 1' 0", "EVAL 'return 1' 1 {s}k", "SCRIPT LOAD 'return 1'", "FUNCTION LIST",
        // Whole-keyspace commands (item 6).
        "SCAN 0", "SCAN 0 MATCH sample:* COUNT 10", "KEYS sample:*", "RANDOMKEY",
        // Refused for good.
        "MIGRATE 127.0.0.1 1 {s}k 0 10", "MOVE {s}k 1", "SWAPDB 0 1", "CLUSTER ADDSLOTS 1", "CONFIG GET maxmemory", "MONITOR",
    };

    [Fact]
    public async Task Every_command_the_page_calls_refused_is_refused_with_the_pages_reason()
    {
        var table = CommandTable.Default;
        var mismatches = new List<string>();
        var client = await proxy.ConnectAsync();
        try
        {
            client.Timeout = CallTimeout;
            foreach (var row in Page.Value.Values.Where(r => r.IsRefused).OrderBy(r => r.Command, StringComparer.Ordinal))
            {
                var args = RefusedInvocation(table, row.Command);
                RespValue reply;
                try
                {
                    reply = await client.CallAsync(args);
                }
                catch (Exception ex) when (ex is TimeoutException or IOException or OperationCanceledException)
                {
                    mismatches.Add($"{string.Join(' ', args)}: no reply ({ex.GetType().Name}: {ex.Message})");
                    await client.DisposeAsync();
                    client = await proxy.ConnectAsync();
                    client.Timeout = CallTimeout;
                    continue;
                }

                if (!IsRefusal(reply, row))
                {
                    mismatches.Add($"{string.Join(' ', args)}: the page says refused ({row.Note}), the proxy answered {reply}");
                    // The command ran, so it may have changed the connection (MULTI, SUBSCRIBE): go on with a fresh one.
                    await client.DisposeAsync();
                    client = await proxy.ConnectAsync();
                    client.Timeout = CallTimeout;
                }
            }
        }
        finally
        {
            await client.DisposeAsync();
        }

        Assert.True(mismatches.Count == 0,
            $"{mismatches.Count} command(s) behave differently from docs/commands.md (regenerate it with `{CompatibilityPage.RegenerateCommand}` if the proxy changed):\n" +
            string.Join('\n', mismatches));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Sample_command_behaves_as_its_row_says(string invocation)
    {
        var args = Split(invocation);
        var row = RowFor(args);
        // A connection of its own: MULTI, SUBSCRIBE or MONITOR change the connection's state when they are supported.
        await using var client = await proxy.ConnectAsync();
        client.Timeout = CallTimeout;
        var reply = await client.CallAsync([.. args]);
        if (row.IsRefused)
        {
            Assert.True(IsRefusal(reply, row), $"{invocation}: the page says refused ({row.Note}), the proxy answered {reply}");
        }
        else
        {
            Assert.False(reply.IsError, $"{invocation}: the page says '{row.Support}', the proxy answered {reply}");
        }
    }

    /// <summary>The row of the longest command name the arguments start with ("OBJECT ENCODING" before "OBJECT").</summary>
    private static CompatibilityRow RowFor(IReadOnlyList<string> args)
    {
        if (args.Count > 1 && Page.Value.TryGetValue($"{args[0]} {args[1]}".ToUpperInvariant(), out var sub))
        {
            return sub;
        }

        Assert.True(Page.Value.TryGetValue(args[0].ToUpperInvariant(), out var row), $"docs/commands.md has no row for {args[0]}");
        return row!;
    }

    /// <summary>The refusal the page promises: an error whose text carries the page's note.</summary>
    private static bool IsRefusal(RespValue reply, CompatibilityRow row)
    {
        if (!reply.IsError)
        {
            return false;
        }

        string note = row.Note.StartsWith("ERR ", StringComparison.Ordinal) ? row.Note[4..] : row.Note;
        return reply.AsString()!.Contains(note, StringComparison.Ordinal);
    }

    /// <summary>
    /// The command with placeholder arguments up to its arity, plus one more when the arity is a minimum: the
    /// proxy checks arity before its policy, and an extra argument makes most commands a syntax error on a real
    /// Redis, so a command the proxy wrongly forwarded would still do nothing.
    /// </summary>
    private static object[] RefusedInvocation(CommandTable table, string command)
    {
        var words = command.Split(' ');
        var spec = table.Find(words[0]);
        if (words.Length > 1)
        {
            spec = spec?.FindSubcommand(words[1]);
        }

        Assert.True(spec is not null, $"{command} from docs/commands.md is not in the command table");
        var args = new List<object>(words);
        int needed = Math.Abs(spec!.Arity) + (spec.Arity < 0 ? 1 : 0);
        for (int i = args.Count; i < needed; i++)
        {
            args.Add("tessera-doc-check-" + i.ToString(CultureInfo.InvariantCulture));
        }

        return [.. args];
    }

    /// <summary>Splits on spaces; single quotes group words ("EVAL 'return 1' 0").</summary>
    private static List<string> Split(string invocation)
    {
        var args = new List<string>();
        int i = 0;
        while (i < invocation.Length)
        {
            if (invocation[i] == ' ')
            {
                i++;
            }
            else if (invocation[i] == '\'')
            {
                int end = invocation.IndexOf('\'', i + 1);
                args.Add(invocation[(i + 1)..end]);
                i = end + 1;
            }
            else
            {
                int end = invocation.IndexOf(' ', i);
                end = end < 0 ? invocation.Length : end;
                args.Add(invocation[i..end]);
                i = end;
            }
        }

        return args;
    }
}
