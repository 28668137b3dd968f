using Tessera.Model.Topology;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>MULTI/EXEC/WATCH on a dedicated connection, bound to one slot.</summary>
public sealed class TransactionTests : IClassFixture<ProxyCluster>
{
    private readonly ProxyCluster _cluster;

    public TransactionTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task A_transaction_on_one_slot_runs_atomically()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("PING"));
        Reply.Text("QUEUED", await c.CallAsync("SET", "{tx}a", "1"));
        Reply.Text("QUEUED", await c.CallAsync("INCR", "{tx}a"));
        Reply.Text("QUEUED", await c.CallAsync("GET", "{tx}a"));
        var exec = await c.CallAsync("EXEC");
        Assert.Equal(["PONG", "OK", "2", "2"], Reply.Strings(exec));
        Reply.Text("2", await c.CallAsync("GET", "{tx}a"));
    }

    [Fact]
    public async Task A_transaction_of_keyless_commands_runs_on_any_group()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("PING"));
        Reply.Text("QUEUED", await c.CallAsync("ECHO", "keyless"));
        Assert.Equal(["PONG", "keyless"], Reply.Strings(await c.CallAsync("EXEC")));
        Reply.Error("ERR EXEC without MULTI", await c.CallAsync("EXEC"));
    }

    [Fact]
    public async Task Keys_in_two_slots_abort_the_transaction()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("SET", TestKeys.OnGroup(1, "txa"), "1"));
        Reply.Error("CROSSSLOT", await c.CallAsync("SET", TestKeys.OnGroup(2, "txb"), "1"));
        Reply.Error("EXECABORT", await c.CallAsync("EXEC"));
        Reply.Integer(0, await c.CallAsync("EXISTS", TestKeys.OnGroup(1, "txa")));
        Reply.Error("ERR EXEC without MULTI", await c.CallAsync("EXEC"));
    }

    [Fact]
    public async Task Watch_sees_a_change_from_another_client()
    {
        await using var c = await _cluster.ConnectAsync();
        await using var other = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("SET", "{w}k", "1"));
        Reply.Ok(await c.CallAsync("WATCH", "{w}k"));
        Reply.Ok(await other.CallAsync("SET", "{w}k", "2"));
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("SET", "{w}k", "3"));
        Reply.Null(await c.CallAsync("EXEC"));
        Reply.Text("2", await c.CallAsync("GET", "{w}k"));

        // DISCARD and an empty EXEC.
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("SET", "{w}k", "4"));
        Reply.Ok(await c.CallAsync("DISCARD"));
        Reply.Text("2", await c.CallAsync("GET", "{w}k"));
        Reply.Ok(await c.CallAsync("MULTI"));
        Assert.Empty(Reply.Strings(await c.CallAsync("EXEC")));
        Reply.Error("ERR MULTI calls can not be nested", await c.CallAsync("MULTI").ContinueWith(_ => c.CallAsync("MULTI")).Unwrap());
        Reply.Ok(await c.CallAsync("DISCARD"));
    }

    [Fact]
    public async Task A_slot_that_moves_while_the_transaction_is_open_is_never_half_applied()
    {
        await using var c = await _cluster.ConnectAsync();
        string key = TestKeys.OnGroup(2, "txmove");
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("SET", key, "moved?"));

        // The slot changes owner before EXEC.
        var ns = _cluster.Cluster.Topology.Namespaces[0];
        _cluster.Proxy.ApplyTopology(new TopologyConfig { Epoch = 50, Namespaces = [ns with { Epoch = 50, Slots = [new SlotRangeConfig { From = 0, To = 1023, Group = 1 }] }] });
        Reply.Error("TRYAGAIN slot", await c.CallAsync("EXEC"));
        await using var g1 = await _cluster.ConnectToMasterAsync(1);
        await using var g2 = await _cluster.ConnectToMasterAsync(2);
        Reply.Integer(0, await g1.CallAsync("EXISTS", key));
        Reply.Integer(0, await g2.CallAsync("EXISTS", key));
        _cluster.Proxy.ApplyTopology(new TopologyConfig { Epoch = 51, Namespaces = [ns with { Epoch = 51 }] });
    }

    [Fact]
    public async Task Reset_leaves_the_transaction_and_client_no_evict_is_accepted()
    {
        await using var c = await _cluster.ConnectAsync();
        Reply.Ok(await c.CallAsync("CLIENT", "NO-EVICT", "ON"));
        Reply.Ok(await c.CallAsync("MULTI"));
        Reply.Text("QUEUED", await c.CallAsync("SET", "{reset}k", "1"));
        Reply.Text("RESET", await c.CallAsync("RESET"));
        Reply.Error("ERR EXEC without MULTI", await c.CallAsync("EXEC"));
        Reply.Integer(0, await c.CallAsync("EXISTS", "{reset}k"));
    }
}
