using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Client;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>
/// SCRIPT KILL and FUNCTION KILL through the proxy stop a runaway script on the group it runs on, and the group
/// serves again. Reply texts as redis-server 7.0.15 words them (checked with redis-cli against a real server).
/// Each master answers -BUSY after 100 ms of script (busy-reply-threshold) to keep the test short.
/// </summary>
public sealed class ScriptKillTests : IClassFixture<ProxyCluster>, IAsyncLifetime
{
    private const string NotBusy = "NOTBUSY No scripts in execution right now.";
    private const string Loop = "while true do end";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly ProxyCluster _cluster;

    public ScriptKillTests(ProxyCluster cluster) => _cluster = cluster;

    public async Task InitializeAsync()
    {
        foreach (var group in _cluster.Cluster.Groups)
        {
            await using var master = await _cluster.ConnectToMasterAsync(group.Id);
            Reply.Ok(await master.CallAsync("CONFIG", "SET", "busy-reply-threshold", 100));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Script_kill_stops_a_looping_eval_and_the_group_serves_again()
    {
        await using var c = await _cluster.ConnectAsync();
        Assert.Equal(NotBusy, (await c.CallAsync("SCRIPT", "KILL")).AsString());
        Assert.Equal(NotBusy, (await c.CallAsync("FUNCTION", "KILL")).AsString());
        await KillRunawayAsync(c, ["EVAL", Loop, 0], "SCRIPT", "FUNCTION", "ERR Script killed by user with SCRIPT KILL... script: ");
    }

    [Fact]
    public async Task Function_kill_stops_a_looping_function_and_the_group_serves_again()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Text("killspin", await c.CallAsync("FUNCTION", "LOAD", "REPLACE", "#!lua name=killspin\nredis.register_function('killspin', function(keys, args) while true do end end)"));
        await KillRunawayAsync(c, ["FCALL", "killspin", 0], "FUNCTION", "SCRIPT", "ERR Script killed by user with SCRIPT KILL... script: killspin, on @user_function:2.");
        Reply.Ok(await c.CallAsync("FUNCTION", "DELETE", "killspin"));
    }

    /// <summary>
    /// Starts <paramref name="runaway"/> on a client of its own, waits for -BUSY through the proxy, checks that
    /// <paramref name="otherKill"/> KILL gets the master's -BUSY and stops nothing, then that <paramref name="kill"/> KILL
    /// answers OK, the runaway client gets <paramref name="killed"/>, the group serves again, and a second KILL finds nothing.
    /// </summary>
    private async Task KillRunawayAsync(RespClient c, object[] runaway, string kill, string otherKill, string killed)
    {
        await using var looping = await _cluster.ConnectAsync();
        var loop = looping.CallAsync(runaway);
        string busy = $"BUSY Redis is busy running a script. You can only call {kill} KILL or SHUTDOWN NOSAVE.";
        await UntilBusyAsync(busy);

        Reply.Error(busy, await c.CallAsync(otherKill, "KILL").WaitAsync(Bound));
        Reply.Ok(await c.CallAsync(kill, "KILL").WaitAsync(Bound));
        Reply.Error(killed, await loop.WaitAsync(Bound));

        await ServesAgainAsync(c);
        Assert.Equal(NotBusy, (await c.CallAsync(kill, "KILL")).AsString());
    }

    /// <summary>Waits until a client of the proxy gets -BUSY from the keyless script's group (a try gives up after 300 ms).</summary>
    private async Task UntilBusyAsync(string busy) =>
        Reply.Error(busy, await BusyReplies.UntilErrorAsync(_cluster, TimeSpan.FromMilliseconds(300), Bound, "EVAL", "return 1", 0));

    private static async Task ServesAgainAsync(RespClient c)
    {
        string key = ProxyCluster.NewPrefix("kill");
        Reply.Ok(await c.CallAsync("SET", key, "v").WaitAsync(Bound));
        Reply.Text("v", await c.CallAsync("GET", key).WaitAsync(Bound));
        Reply.Integer(1, await c.CallAsync("EVAL", "return 1", 0).WaitAsync(Bound));
    }
}
