using Tessera.Store.Etcd;
using Tessera.Store.Tests.Support;

using Tessera.Local.Etcd;

namespace Tessera.Store.Tests.Etcd;

/// <summary>The production store (JSON gateway) on a 3-member cluster losing a member.</summary>
public sealed class EtcdClusterTests(EtcdTrioFixture etcd) : EtcdClusterContractTests(etcd, EtcdClientKind.JsonGateway), IClassFixture<EtcdTrioFixture>
{
}

/// <summary>The dotnet-etcd (gRPC) evaluation store on a 3-member cluster losing a member.</summary>
public sealed class GrpcEtcdClusterTests(EtcdTrioFixture etcd) : EtcdClusterContractTests(etcd, EtcdClientKind.Grpc), IClassFixture<EtcdTrioFixture>
{
}

/// <summary>A 3-member etcd cluster: the store keeps working, watch included, when the member it uses dies.</summary>
public abstract class EtcdClusterContractTests
{
    private readonly EtcdCluster _cluster;
    private readonly EtcdClientKind _kind;

    protected EtcdClusterContractTests(EtcdTrioFixture etcd, EtcdClientKind kind) => (_cluster, _kind) = (etcd.Cluster, kind);

    [Fact]
    public async Task Reads_writes_leases_and_watch_survive_the_death_of_a_member()
    {
        string p = $"/test/{Guid.NewGuid():N}/";
        await using var store = EtcdClients.Open(_kind, _cluster.Url);

        // A second instance listing the members the other way round writes through another member.
        var reversed = "etcd://" + string.Join(",", _cluster.Members.Reverse().Select(m => $"127.0.0.1:{m.ClientPort}"));
        await using var other = EtcdClients.Open(_kind, reversed);

        await store.PutAsync(p + "before", "0");
        Assert.Equal("0", (await other.GetAsync(p + "before"))!.Value);
        long lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        Assert.True(await store.CreateAsync(p + "leased", "1", lease));

        long start = (await store.ListAsync(p)).Revision + 1;
        await using var watch = new WatchRecorder(store, p, start);
        long w1 = await other.PutAsync(p + "w", "1");
        Assert.Equal(w1, (await watch.NextAsync()).Revision);

        // Kill the member this store talks to (its watch stream is there too). gRPC's balancer does not say which
        // member it uses: the first listed is killed, which the JSON store also uses first.
        Uri? used = (store as EtcdStore)?.PreferredEndpoint;
        EtcdMember victim = used is null ? _cluster.Members[0] : _cluster.Members.Single(m => m.ClientPort == used.Port);
        victim.Kill();

        var revisions = new List<long>();
        for (int i = 2; i <= 5; i++)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            revisions.Add(await store.PutAsync(p + "w", i.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: bound.Token));
        }

        if (store is EtcdStore json)
        {
            Assert.NotEqual(used, json.PreferredEndpoint);
        }

        Assert.Equal("5", (await store.GetAsync(p + "w"))!.Value);
        Assert.Equal("5", (await other.GetAsync(p + "w"))!.Value);
        Assert.True(await store.KeepAliveAsync(lease));
        Assert.Equal("1", (await other.GetAsync(p + "leased"))!.Value);
        StoreRecord w = (await other.GetAsync(p + "w"))!;
        Assert.True(await other.CompareAndSetAsync(p + "w", "6", w.Revision));
        revisions.Add((await store.GetAsync(p + "w"))!.Revision);

        // The watch reconnected to a live member from where it stopped: nothing lost, nothing repeated.
        for (int i = 2; i <= 6; i++)
        {
            StoreEvent change = await watch.NextAsync(TimeSpan.FromSeconds(15));
            Assert.Equal((i.ToString(System.Globalization.CultureInfo.InvariantCulture), revisions[i - 2]), (change.Value, change.Revision));
        }

        long reconnects = store is EtcdStore j ? j.WatchReconnects : ((Grpc.GrpcEtcdStore)store).WatchReconnects;
        Assert.True(_kind == EtcdClientKind.Grpc || reconnects > 0, "the watch should have noticed its member die");

        // A store opened now still lists the dead member first: it fails over at once.
        await using var late = EtcdClients.Open(_kind, _cluster.Url);
        Assert.Equal("6", (await late.GetAsync(p + "w"))!.Value);
        Assert.Equal(3, (await late.ListAsync(p)).Count);
        await watch.AssertNothingAsync(TimeSpan.FromMilliseconds(300));
    }
}
