using System.Text;
using Tessera.Resp.Client;
using Tessera.Resp.Keys;
using Tessera.Resp.Tests.Client;

namespace Tessera.Resp.Tests.Keys;

/// <summary>GlobPattern against redis-server's own matcher: KEYS over a fixed set of keys must pick the same ones.</summary>
public sealed class GlobPatternTests(RedisTestServer server) : IClassFixture<RedisTestServer>
{
    private static readonly string[] Keys =
    [
        "", "a", "b", "ab", "abc", "aXc", "a*c", "a?c", "a[c", "a]c", "a\\c", "a-c", "hello", "hallo", "hxllo", "hllo",
        "heeeello", "config|get", "CONFIG|GET", "x^y", "xay", "z", "Z", "m",
    ];

    public static TheoryData<string> Patterns => new()
    {
        "*", "a*", "*c", "a?c", "a*c", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo", "a\\*c", "a\\?c",
        "a[\\]]c", "a[[]c", "a\\\\c", "a[-]c", "**", "a**c", "?", "??", "[a-c]", "[^a-c]", "x[\\^]y", "x[^^]y", "[z]", "a[",
        "a[bc", "*[", "\\", "h\\", "config|*", "*|get",
    };

    [Theory]
    [MemberData(nameof(Patterns))]
    public async Task Matches_the_keys_redis_server_matches(string pattern)
    {
        await using var client = await RespClient.ConnectAsync(server.Endpoint);
        await client.CallAsync("FLUSHALL");
        foreach (string key in Keys)
        {
            await client.CallAsync("SET", key, "1");
        }

        var reply = await client.CallAsync("KEYS", pattern);
        var expected = reply.Items!.Select(static item => item.AsString()!).Order(StringComparer.Ordinal).ToList();
        // KEYS * takes every key without matching, the empty one too; the matcher itself does not match "".
        var actual = pattern == "*" ? Keys.Order(StringComparer.Ordinal).ToList() : Keys.Where(k => GlobPattern.Matches(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(k))).Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.SequenceEqual(actual), $"KEYS {pattern}: redis-server [{string.Join(", ", expected)}], GlobPattern [{string.Join(", ", actual)}]");
    }

    [Fact]
    public void Ignoring_case_folds_ascii_letters_in_text_classes_and_ranges()
    {
        Assert.True(GlobPattern.Matches("CONFIG|G*"u8, "config|get"u8, ignoreCase: true));
        Assert.True(GlobPattern.Matches("[A-C]x"u8, "bx"u8, ignoreCase: true));
        Assert.False(GlobPattern.Matches("CONFIG|G*"u8, "config|get"u8));
    }
}
