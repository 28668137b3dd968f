using System.Globalization;
using Tessera.Clients.Tests.Support;

namespace Tessera.Clients.Tests.RedisCli;

/// <summary>
/// redis-cli as people use it against the proxy: commands typed (piped) into one session, --scan, and -3 (RESP3).
/// --no-raw keeps redis-cli's interactive formatting ("(integer) 2", "(nil)", "1# ... => ...") with piped output,
/// so the assertions also check reply types.
/// </summary>
[Collection(ProxyCollection.Name)]
public sealed partial class RedisCliTests(ProxyCluster proxy)
{
    private string Port => proxy.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public Task Piped_commands_get_their_replies_in_order() => PipedAsync(proxy.Port, null);

    /// <summary>The piped session (keys over both groups, MSET/MGET/EXISTS/DEL split and merged) against the proxy on <paramref name="port"/>, over <paramref name="tls"/> when given.</summary>
    internal static async Task PipedAsync(int port, ClientTls? tls)
    {
        string p = ProxyCluster.NewPrefix("cli");
        string input = $"""
            SET {p}:a 1
            INCR {p}:a
            MSET {p}:b x {p}:c y
            MGET {p}:a {p}:b {p}:missing {p}:c
            PING
            HSET {p}:h f v
            HGETALL {p}:h
            EXISTS {p}:a {p}:b {p}:c {p}:missing
            DEL {p}:a {p}:b {p}:c
            GET {p}:a

            """;
        var run = await ClientTools.RunRedisCliAsync(["--no-raw", "-p", port.ToString(CultureInfo.InvariantCulture), .. ClientTls.Arguments(tls)], input);

        string[] expected =
        [
            "OK", "(integer) 2", "OK",
            "1) \"2\"", "2) \"x\"", "3) (nil)", "4) \"y\"",
            "PONG", "(integer) 1", "1) \"f\"", "2) \"v\"",
            "(integer) 3", "(integer) 3", "(nil)",
        ];
        Assert.True(expected.SequenceEqual(Lines(run.Stdout)), $"unexpected replies:\n{run}");
    }

    [Fact]
    public async Task Resp3_hgetall_answers_a_map()
    {
        string key = ProxyCluster.NewPrefix("cli") + ":h3";
        await ClientTools.RunRedisCliAsync(["-p", Port, "HSET", key, "f1", "v1", "f2", "v2"]);

        // -3 opens the session with HELLO 3; a map is printed as "1# key => value", an array would be "1) ...".
        var run = await ClientTools.RunRedisCliAsync(["--no-raw", "-3", "-p", Port, "HGETALL", key]);
        Assert.True(new[] { "1# \"f1\" => \"v1\"", "2# \"f2\" => \"v2\"" }.SequenceEqual(Lines(run.Stdout)), $"expected a RESP3 map:\n{run}");

        var hello = await ClientTools.RunRedisCliAsync(["--no-raw", "-3", "-p", Port, "HELLO", "3"]);
        Assert.True(Lines(hello.Stdout).Contains("3# \"proto\" => (integer) 3"), $"HELLO 3 should report proto 3 as a map entry:\n{hello}");
    }

    [Fact]
    public async Task Refused_command_prints_the_reason()
    {
        var run = await ClientTools.RunRedisCliAsync(["-p", Port, "MIGRATE", "127.0.0.1", "1", "k", "0", "10"]);
        Assert.True(run.Stdout.Contains("MIGRATE is not supported through Tessera", StringComparison.Ordinal), $"expected the refusal with its reason:\n{run}");
    }

    [Fact]
    public async Task Piped_transaction_runs_atomically()
    {
        string key = "{" + ProxyCluster.NewPrefix("cli") + "}:counter";
        var run = await ClientTools.RunRedisCliAsync(["--no-raw", "-p", Port], $"MULTI\nINCR {key}\nINCR {key}\nEXEC\n");
        Assert.True(new[] { "OK", "QUEUED", "QUEUED", "1) (integer) 1", "2) (integer) 2" }.SequenceEqual(Lines(run.Stdout)), $"unexpected replies:\n{run}");
    }

    [Fact]
    public async Task Scan_with_a_pattern_lists_the_keys_of_every_group()
    {
        string p = ProxyCluster.NewPrefix("cli");
        var keys = Enumerable.Range(0, 100).Select(i => $"{p}:k:{i}").ToHashSet(StringComparer.Ordinal);
        await ClientTools.RunRedisCliAsync(["-p", Port, "MSET", .. keys.SelectMany(k => new[] { k, "v" })]);
        await ClientTools.RunRedisCliAsync(["-p", Port, "SET", $"{p}:other", "v"]);

        var run = await ClientTools.RunRedisCliAsync(["-p", Port, "--scan", "--pattern", $"{p}:k:*"]);
        var found = Lines(run.Stdout).ToHashSet(StringComparer.Ordinal);
        Assert.True(keys.SetEquals(found), $"--scan should list exactly the {keys.Count} matching keys, found {found.Count}:\n{run}");
    }

    /// <summary>The reply lines, without the "(0.65s)" lines redis-cli prints after a command that took over half a second (they are timings, not replies).</summary>
    private static string[] Lines(string output) =>
        [.. output.Replace("\r", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(static line => !Timing().IsMatch(line))];

    [System.Text.RegularExpressions.GeneratedRegex(@"^\(\d+(\.\d+)?s\)$")]
    private static partial System.Text.RegularExpressions.Regex Timing();
}
