using Tessera.Clients.Tests.Support;

namespace Tessera.Clients.Tests.Node;

/// <summary>node-redis (npm package `redis`, version pinned in tests/clients/node/package-lock.json) against the proxy, RESP2 and RESP3.</summary>
[Collection(ProxyCollection.Name)]
public sealed class NodeRedisTests(ProxyCluster proxy)
{
    private Task Run(string area) => ClientTools.RunNodeAsync("node-redis-smoke.mjs", proxy.Port, ProxyCluster.NewPrefix("nr"), area);

    [Fact]
    public Task Pipeline_of_1100_commands_keeps_the_order() => Run("pipeline");

    [Fact]
    public Task Mset_mget_exists_del_across_groups() => Run("mget");

    [Fact]
    public Task Hash_tags_keep_keys_together_and_others_get_crossslot() => Run("hashtags");

    [Fact]
    public Task Resp3_maps_doubles_and_nulls() => Run("resp3");

    [Fact]
    public Task Multi_exec_and_watch() => Run("transaction");

    [Fact]
    public Task Subscribe_psubscribe_publish_and_ping() => Run("pubsub");

    [Fact]
    public Task Pubsub_over_resp3_pushes() => Run("resp3-pubsub");

    [Fact]
    public Task Publish_right_after_subscribe_reaches_the_subscriber() => Run("subscribe-then-publish");

    [Fact]
    public Task Sharded_pubsub_ssubscribe_spublish() => Run("sharded-pubsub");

    [Fact]
    public Task Blpop_times_out_and_gets_a_pushed_element() => Run("blocking");

    [Fact]
    public Task ScanIterator_finds_every_key_across_groups() => Run("scan");

    [Fact]
    public Task Client_side_cache_is_invalidated_through_the_proxy() => Run("client-side-cache");
}
