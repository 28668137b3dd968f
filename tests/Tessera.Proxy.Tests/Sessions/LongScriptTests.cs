using System.Diagnostics;
using System.Globalization;
using Tessera.Proxy;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>
/// A script that runs past the proxy's request timeout: the backend connection that carries it waits for it (as a
/// client of redis-server would) instead of being reset, other clients get the server's own -BUSY, and SCRIPT KILL
/// through the proxy brings the group back with every queued request answered. A server that answers nothing is
/// still reset after the timeout. One shared connection per server, so every client of a group shares the one that
/// carries the script; request timeout 1 s, busy-reply-threshold 100 ms to keep the test short.
/// </summary>
public sealed class LongScriptTests : IAsyncLifetime
{
    private const string ScriptBusy = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(1);

    private readonly ProxyCluster _cluster = new(2, 0, new ProxyOptions { RequestTimeout = RequestTimeout, ConnectionsPerBackend = 1 });

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        foreach (var group in _cluster.Cluster.Groups)
        {
            await using var master = await _cluster.ConnectToMasterAsync(group.Id);
            Reply.Ok(await master.CallAsync("CONFIG", "SET", "busy-reply-threshold", 100));
        }
    }

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task A_script_longer_than_the_request_timeout_keeps_its_connection_and_others_get_busy()
    {
        string onBusy = TestKeys.OnGroup(2, "long");
        string onOther = TestKeys.OnGroup(1, "long");
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("SET", onBusy, "kept"));
        Reply.Ok(await c.CallAsync("SET", onOther, "other"));

        await using var looping = await _cluster.ConnectAsync();
        looping.Timeout = TimeSpan.FromSeconds(30);
        var loop = looping.CallAsync("EVAL", "while true do end", 1, onBusy);

        // Sent behind the script on the same backend connection: the server reads it only after the script.
        await Task.Delay(200);
        await using var behind = await _cluster.ConnectAsync();
        behind.Timeout = TimeSpan.FromSeconds(30);
        var queued = behind.CallAsync("GET", onBusy);

        // Past the request timeout (and the probe that finds the server busy), a new command gets Redis's -BUSY.
        var last = await BusyReplies.UntilErrorAsync(_cluster, TimeSpan.FromMilliseconds(500), Bound, "GET", onBusy);
        Assert.True(last.IsError && last.AsString() == ScriptBusy, $"expected the server's own -{ScriptBusy}, got {last}");

        // Well past the timeout the script's connection was not reset: its client and the one behind still wait.
        await Task.Delay(RequestTimeout * 2);
        Assert.False(loop.IsCompleted, "the script's client was answered while the script ran");
        Assert.False(queued.IsCompleted, "the request queued behind the script was answered while the script ran");
        Reply.Text("other", await c.CallAsync("GET", onOther).WaitAsync(Bound));

        Reply.Ok(await c.CallAsync("SCRIPT", "KILL").WaitAsync(Bound));
        Reply.Error("ERR Script killed by user with SCRIPT KILL...", await loop.WaitAsync(Bound));
        Reply.Text("kept", await queued.WaitAsync(Bound));
        Reply.Text("kept", await c.CallAsync("GET", onBusy).WaitAsync(Bound));
        Reply.Ok(await c.CallAsync("SET", onBusy, "again").WaitAsync(Bound));
    }

    /// <summary>As on redis-server 7.0.15: the EXEC waits, others get -BUSY, SCRIPT KILL answers OK and EXEC's array holds the commands before the script and the kill error.</summary>
    [Fact]
    public async Task A_transaction_around_a_long_script_is_killed_as_on_redis()
    {
        string onBusy = TestKeys.OnGroup(2, "txlong");
        await using var tx = await _cluster.ConnectAsync();
        tx.Timeout = TimeSpan.FromSeconds(30);
        Reply.Ok(await tx.CallAsync("MULTI"));
        Reply.Text("QUEUED", await tx.CallAsync("SET", onBusy, "1"));
        Reply.Text("QUEUED", await tx.CallAsync("EVAL", "while true do end", 1, onBusy));
        var exec = tx.CallAsync("EXEC");

        await using var c = await _cluster.ConnectAsync();
        RespValue? last = null;
        await Eventually.TrueAsync(async () => (last = await c.CallAsync("GET", onBusy)).IsError, Bound, "a -BUSY reply through the proxy");
        Assert.Equal(ScriptBusy, last!.AsString());
        await Task.Delay(RequestTimeout * 2);
        Assert.False(exec.IsCompleted, "EXEC was answered while its script ran");

        Reply.Ok(await c.CallAsync("SCRIPT", "KILL").WaitAsync(Bound));
        var answer = await exec.WaitAsync(Bound);
        Assert.True(answer.Items is { Count: 2 }, $"EXEC answered {answer}");
        Reply.Ok(answer.Items![0]);
        Reply.Error("ERR Script killed by user with SCRIPT KILL...", answer.Items[1]);
        Reply.Text("1", await c.CallAsync("GET", onBusy).WaitAsync(Bound));
    }

    [Fact]
    public async Task A_server_that_answers_nothing_is_still_reset_after_the_timeout()
    {
        string onFrozen = TestKeys.OnGroup(2, "frozen");
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("SET", onFrozen, "v"));
        int pid = _cluster.Cluster.Groups.Single(g => g.Id == 2).Master.Pid;
        ProcessProbe.Signal(pid, "STOP");
        try
        {
            var clock = Stopwatch.StartNew();
            var reply = await c.CallAsync("GET", onFrozen).WaitAsync(Bound);
            Reply.Error("ERR backend", reply);
            Assert.Contains("no reply within 1000 ms", reply.AsString(), StringComparison.Ordinal);

            // The timeout plus at most one probe (1 s) and the timer's period (250 ms), with room for a busy machine.
            Assert.InRange(clock.Elapsed, RequestTimeout, RequestTimeout * 5);
        }
        finally
        {
            ProcessProbe.Signal(pid, "CONT");
        }

        await Eventually.TrueAsync(async () => (await c.CallAsync("GET", onFrozen)).AsString() == "v", Bound, "the thawed master to serve again");
    }
}
