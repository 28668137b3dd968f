using System.Globalization;
using System.Text;
using Tessera.Clients.Tests.Cluster;
using Tessera.Clients.Tests.Support;
using Xunit.Abstractions;

namespace Tessera.Clients.Tests.RedisCli;

/// <summary>
/// redis-cli against three proxies with the cluster face on: --cluster check reads every proxy's CLUSTER NODES and
/// finds one consistent table covering the 16384 slots; -c sessions run keys and hash-tagged multi-key commands; a
/// -c loop keeps running on its proxy while another leaves and a third joins (redis-cli -c follows MOVED, which
/// Tessera never sends, so it stays on the proxy it was given: every proxy serves every key).
/// </summary>
[Collection(FaceCollection.Name)]
public sealed class RedisCliClusterTests(FaceClusterFixture fixture, ITestOutputHelper output)
{
    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public Task Cluster_check_finds_every_slot_covered_by_one_consistent_table() => ClusterCheckAsync(fixture.Face.Ports, null, output);

    /// <summary>
    /// redis-cli --cluster check from the first of <paramref name="ports"/> (over <paramref name="tls"/> when given): one
    /// consistent table covering every slot, naming exactly these ports (over TLS: the proxies' TLS listeners).
    /// </summary>
    internal static async Task ClusterCheckAsync(IReadOnlyList<int> ports, ClientTls? tls, ITestOutputHelper output)
    {
        var run = await ClientTools.RunRedisCliAsync([.. ClientTls.Arguments(tls), "--cluster", "check", $"127.0.0.1:{Text(ports[0])}"]);
        output.WriteLine(run.Stdout);
        Assert.Contains("[OK] All nodes agree about slots configuration.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("[OK] All 16384 slots covered.", run.Stdout, StringComparison.Ordinal);
        foreach (int port in ports)
        {
            Assert.Contains($"127.0.0.1:{Text(port)}", run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cluster_mode_session_spreads_keys_runs_multikey_commands_and_keeps_going_while_proxies_leave_and_join()
    {
        string p = ProxyCluster.NewPrefix("clic");
        ScriptRun? loop = null;
        await ProxyChurn.AroundAsync(fixture.Face, p, async ports =>
        {
            string port = Text(ports[0]);
            await SessionAsync(ports[0], p, null);

            // A loop on one connection, 90 increments 0.1 s apart, while another proxy leaves and a new one joins.
            loop = await ClientTools.RunRedisCliAsync(["-c", "-p", port, "-r", "90", "-i", "0.1", "INCR", $"{p}:counter"]);
        }, output);

        var increments = loop!.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, 90).Select(i => Text(i)), increments);
        output.WriteLine($"redis-cli -c: 90 of 90 INCRs answered in order on proxy {fixture.Face.Ports[0]}; stderr: '{loop.Stderr.Trim()}'");

        // The table now names the newcomer, and a session given only it works.
        var check = await ClientTools.RunRedisCliAsync(["--cluster", "check", $"127.0.0.1:{Text(fixture.Face.Ports[^1])}"]);
        Assert.Contains("[OK] All 16384 slots covered.", check.Stdout, StringComparison.Ordinal);
        var get = await ClientTools.RunRedisCliAsync(["-c", "-p", Text(fixture.Face.Ports[^1]), "GET", $"{p}:counter"]);
        Assert.Equal("90", get.Stdout.Trim());
    }

    /// <summary>
    /// A -c session on the proxy on <paramref name="port"/> (over <paramref name="tls"/> when given): the spread area's
    /// 300 keys, hash-tagged MSET/MGET/SUNIONSTORE, CLUSTER KEYSLOT, and <paramref name="p"/>:churn:started.
    /// </summary>
    internal static async Task SessionAsync(int port, string p, ClientTls? tls)
    {
        var spread = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            spread.Append(CultureInfo.InvariantCulture, $"SET {p}:spread:{i} {i}\n");
        }

        spread.Append(CultureInfo.InvariantCulture, $"MSET {{{p}}}:a 1 {{{p}}}:b 2\nMGET {{{p}}}:a {{{p}}}:b\nSUNIONSTORE {{{p}}}:u {{{p}}}:a\nCLUSTER KEYSLOT foo\nSET {p}:churn:started 1\n");
        var session = await ClientTools.RunRedisCliAsync(["-c", "--no-raw", "-p", Text(port), .. ClientTls.Arguments(tls)], spread.ToString());
        // Without the "(0.65s)" timing lines redis-cli prints after a slow command: they are not replies.
        var lines = session.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(static line => !System.Text.RegularExpressions.Regex.IsMatch(line, @"^\(\d+(\.\d+)?s\)$")).ToArray();
        Assert.Equal(300 + 6, lines.Length);
        Assert.All(lines.Take(301), line => Assert.Equal("OK", line));
        Assert.Equal(["1) \"1\"", "2) \"2\""], lines.Skip(301).Take(2));
        Assert.Equal("(error) WRONGTYPE Operation against a key holding the wrong kind of value", lines[303]);
        Assert.Equal("(integer) 12182", lines[304]);
        Assert.Equal("OK", lines[305]);
    }
}
