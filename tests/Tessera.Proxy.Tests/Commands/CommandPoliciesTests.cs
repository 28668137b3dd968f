using Tessera.Proxy.Commands;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Commands;

namespace Tessera.Proxy.Tests.Commands;

/// <summary>
/// The proxy's decision per command, alone: what it answers itself, what it splits or fans out and how replies
/// merge, what it refuses and in which words. Kinds are named as strings: the enums are internal to the proxy. The command table comes from redis-server 7 (tools/CommandTableGen).
/// </summary>
public sealed class CommandPoliciesTests
{
    private static readonly CommandPolicies Policies = new(CommandTable.Default);

    [Theory]
    [InlineData("GET k", "Keyed")]
    [InlineData("SET k v", "Keyed")]
    [InlineData("EVAL s 0", "Keyed")]
    [InlineData("BLPOP k 0", "Blocking")]
    [InlineData("XREAD STREAMS s 0", "KeyedUnlessBlocking")]
    [InlineData("SUBSCRIBE c", "PubSub")]
    [InlineData("MULTI", "Transaction")]
    [InlineData("WATCH k", "Transaction")]
    [InlineData("SCAN 0", "Scan")]
    [InlineData("WAIT 1 0", "Wait")]
    [InlineData("PING", "Local")]
    [InlineData("CLIENT TRACKING ON", "Local")]
    [InlineData("CONFIG HELP", "AnyGroup")]
    public void Commands_get_the_kind_that_routes_them(string command, string kind) =>
        Assert.Equal(kind, Policy(command).Kind.ToString());

    [Theory]
    [InlineData("MGET a b", "ValuesInOrder")]
    [InlineData("MSET a 1 b 2", "AllOk")]
    [InlineData("DEL a b", "SumIntegers")]
    [InlineData("UNLINK a b", "SumIntegers")]
    [InlineData("EXISTS a b", "SumIntegers")]
    [InlineData("TOUCH a b", "SumIntegers")]
    public void Multi_key_commands_split_and_say_how_replies_merge(string command, string merge)
    {
        var policy = Policy(command);
        Assert.Equal(CommandKind.MultiKey, policy.Kind);
        Assert.Equal(merge, policy.Merge.ToString());
    }

    [Theory]
    [InlineData("KEYS *", "UnionArrays")]
    [InlineData("RANDOMKEY", "RandomNonNull")]
    [InlineData("FLUSHDB", "FirstReply")]
    [InlineData("SCRIPT EXISTS abc", "AllFlags")]
    [InlineData("SCRIPT LOAD s", "FirstReply")]
    [InlineData("FUNCTION FLUSH", "FirstReply")]
    public void Fan_outs_reach_every_group_and_say_how_replies_merge(string command, string merge)
    {
        var policy = Policy(command);
        Assert.Equal(CommandKind.FanOut, policy.Kind);
        Assert.Equal(merge, policy.Merge.ToString());
    }

    [Theory]
    [InlineData("MOVE k 1", "ERR MOVE is not supported through Tessera: Tessera serves database 0 only")]
    [InlineData("MONITOR", "ERR MONITOR is not supported through Tessera: MONITOR would watch one backend only; it is not supported through the proxy")]
    [InlineData("CONFIG GET maxmemory", "ERR CONFIG GET is not supported through Tessera: administrative commands would reach one backend only; run it on the redis-server processes directly")]
    [InlineData("CLUSTER ADDSLOTS 1", "ERR CLUSTER ADDSLOTS is not supported through Tessera: Tessera is not a Redis Cluster; clients talk to it as to one standalone server")]
    public void Refusals_say_what_and_why(string command, string refusal)
    {
        var policy = Policy(command);
        Assert.Equal(CommandKind.Refused, policy.Kind);
        Assert.Equal(refusal, policy.Refusal);
    }

    [Theory]
    [InlineData("SET k v", true)]
    [InlineData("DEL k", true)]
    [InlineData("EVAL s 0", true)]
    [InlineData("PUBLISH c m", true)]
    [InlineData("GET k", false)]
    [InlineData("PING", false)]
    public void Writes_are_marked_for_WAIT(string command, bool writes) =>
        Assert.Equal(writes, Policy(command).Writes);

    [Fact]
    public void Every_command_and_subcommand_of_the_table_has_a_policy_and_a_row_in_the_compatibility_page()
    {
        int specs = 0;
        foreach (var command in CommandTable.Default.Commands)
        {
            foreach (var spec in command.Subcommands.Prepend(command))
            {
                specs++;
                var policy = Policies.Get(spec);
                Assert.True(policy.Kind != CommandKind.Refused || policy.Refusal is { Length: > 0 }, $"{spec.Name} is refused without a reason");
            }
        }

        Assert.Equal(specs, CommandPolicies.Describe().Count);
        Assert.All(CommandPolicies.Describe(), static row => Assert.False(string.IsNullOrEmpty(row.Support), row.Command));
    }

    private static CommandPolicy Policy(string command)
    {
        var frame = Frames.Parse(command.Split(' '));
        var spec = Policies.Table.Resolve(frame) ?? throw new InvalidOperationException($"{command}: not in the command table");
        return Policies.Get(spec);
    }
}
