using Tessera.Store.Etcd;

using Tessera.Local.Etcd;

namespace Tessera.Store.Tests.Etcd;

/// <summary>The production store (JSON gateway) against one real etcd member.</summary>
public sealed class EtcdStoreTests(SingleEtcdFixture etcd) : EtcdStoreContractTests(etcd, EtcdClientKind.JsonGateway), IClassFixture<SingleEtcdFixture>
{
}

/// <summary>The dotnet-etcd (gRPC) evaluation store against one real etcd member.</summary>
public sealed class GrpcEtcdStoreTests(SingleEtcdFixture etcd) : EtcdStoreContractTests(etcd, EtcdClientKind.Grpc), IClassFixture<SingleEtcdFixture>
{
}

/// <summary>The store contract against one real etcd member, for each etcd client.</summary>
public abstract class EtcdStoreContractTests : StoreContractTests
{
    private readonly SingleEtcdFixture _etcd;
    private readonly EtcdClientKind _kind;

    protected EtcdStoreContractTests(SingleEtcdFixture etcd, EtcdClientKind kind) => (_etcd, _kind) = (etcd, kind);

    protected override ICoordinatorStore OpenStore() => EtcdClients.Open(_kind, _etcd.Cluster.Url);

    [Fact]
    public async Task Watch_from_a_compacted_revision_resets()
    {
        long first = await Store.PutAsync(P + "k", "1");
        long second = await Store.PutAsync(P + "k", "2");

        // Compact away everything up to the second write, then ask for history from the first.
        using (var http = new HttpClient())
        using (var content = new StringContent($"{{\"revision\":\"{second}\"}}", System.Text.Encoding.UTF8, "application/json"))
        {
            (await http.PostAsync(new Uri(_etcd.Cluster.Members[0].ClientUrl, "/v3/kv/compaction"), content)).EnsureSuccessStatusCode();
        }

        await using var watch = new Support.WatchRecorder(Store, P, first);
        StoreEvent reset = await watch.NextAsync();
        Assert.Equal(StoreEventKind.Reset, reset.Kind);
        Assert.True(reset.Revision >= second);

        long third = await Store.PutAsync(P + "k", "3");
        StoreEvent next = await watch.NextAsync();
        Assert.Equal((StoreEventKind.Put, "3", third), (next.Kind, next.Value, next.Revision));
    }

    [Fact]
    public async Task Unreachable_etcd_fails_with_a_clear_error()
    {
        int port = _etcd.Cluster.Members[0].ClientPort;
        await using var store = EtcdClients.Open(_kind, [new Uri("http://127.0.0.1:1/")], new EtcdStoreOptions { RequestTimeout = TimeSpan.FromMilliseconds(300), OperationTimeout = TimeSpan.FromSeconds(1) });
        var error = await Assert.ThrowsAsync<CoordinatorStoreException>(() => store.GetAsync("/x"));
        Assert.Contains("No etcd endpoint answered", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(1, port);
    }
}
