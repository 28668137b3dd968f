using Tessera.Clients.Tests.Support;

namespace Tessera.Clients.Tests.Node;

/// <summary>ioredis (npm, version pinned in tests/clients/node/package-lock.json) against the proxy; RESP2 only.</summary>
[Collection(ProxyCollection.Name)]
public sealed class IoredisTests(ProxyCluster proxy)
{
    private Task Run(string area) => ClientTools.RunNodeAsync("ioredis-smoke.mjs", proxy.Port, ProxyCluster.NewPrefix("io"), area);

    [Fact]
    public Task Pipeline_of_1000_commands_keeps_the_order() => Run("pipeline");

    [Fact]
    public Task Mset_mget_exists_del_across_groups() => Run("mget");

    [Fact]
    public Task Hash_tags_keep_keys_together_and_others_get_crossslot() => Run("hashtags");

    [Fact]
    public Task Multi_exec_and_watch() => Run("transaction");

    [Fact]
    public Task Subscribe_psubscribe_publish_and_ping() => Run("pubsub");

    [Fact]
    public Task Blpop_times_out_and_gets_a_pushed_element() => Run("blocking");

    [Fact]
    public Task ScanStream_finds_every_key_across_groups() => Run("scan");
}
