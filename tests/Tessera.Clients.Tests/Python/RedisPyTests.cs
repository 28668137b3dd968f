using Tessera.Clients.Tests.Support;

namespace Tessera.Clients.Tests.Python;

/// <summary>
/// redis-py (Debian's python3-redis) against the proxy: tests/clients/python/smoke.py, one area per test, so a
/// failure names the feature and prints the script's JSON summary with the traceback.
/// </summary>
[Collection(ProxyCollection.Name)]
public sealed class RedisPyTests(ProxyCluster proxy)
{
    private Task Run(string area) => ClientTools.RunPythonAsync(proxy.Port, ProxyCluster.NewPrefix("py"), area);

    [Fact]
    public Task Pipeline_of_1000_commands_keeps_the_order() => Run("pipeline");

    [Fact]
    public Task Mset_mget_exists_del_across_groups() => Run("mget");

    [Fact]
    public Task Hash_tags_keep_keys_together_and_others_get_crossslot() => Run("hashtags");

    [Fact(Skip = "python3-redis 4.3.4 (Debian bookworm) has no RESP3 client: protocol=3 arrived in redis-py 5.0. Unskip with python3-redis >= 5 (RESP3 itself is covered by node-redis and redis-cli -3).")]
    public Task Resp3_with_hello_3() => Run("resp3");

    [Fact]
    public Task Transactions_multi_exec_and_watch() => Run("transaction");

    [Fact]
    public Task Subscribe_psubscribe_publish_and_ping() => Run("pubsub");

    [Fact]
    public Task Blpop_times_out_and_gets_a_pushed_element() => Run("blocking");

    [Fact]
    public Task Scan_iter_finds_every_key_across_groups() => Run("scan");
}
