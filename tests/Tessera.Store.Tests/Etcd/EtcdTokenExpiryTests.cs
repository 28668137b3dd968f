using System.Globalization;
using Tessera.Store.Tests.Support;

namespace Tessera.Store.Tests.Etcd;

/// <summary>The production store (JSON gateway): tokens that expire or that another member does not know.</summary>
public sealed class EtcdTokenExpiryTests(AuthenticatedEtcdTrioFixture etcd) : EtcdTokenExpiryContractTests(etcd, EtcdClientKind.JsonGateway), IClassFixture<AuthenticatedEtcdTrioFixture>
{
}

/// <summary>The dotnet-etcd (gRPC) evaluation store: tokens that expire or that another member does not know.</summary>
public sealed class GrpcEtcdTokenExpiryTests(AuthenticatedEtcdTrioFixture etcd) : EtcdTokenExpiryContractTests(etcd, EtcdClientKind.Grpc), IClassFixture<AuthenticatedEtcdTrioFixture>
{
}

/// <summary>
/// The two token failures a long-running Tessera process meets with an authenticating etcd: its token expires while it
/// idles (etcd's --auth-token-ttl, here 1 s), and the member that gave it dies, so the watch reconnects to a member that
/// never heard of the token. Each store must re-authenticate by itself, including one that only watches (no unary call
/// of its own refreshes its token), and the watch must resume without loss or repeat.
/// </summary>
public abstract class EtcdTokenExpiryContractTests
{
    private readonly AuthenticatedEtcdFixture _etcd;
    private readonly EtcdClientKind _kind;

    protected EtcdTokenExpiryContractTests(AuthenticatedEtcdFixture etcd, EtcdClientKind kind) => (_etcd, _kind) = (etcd, kind);

    [Fact]
    public async Task An_expired_token_is_renewed_and_a_watch_only_store_resumes_on_another_member()
    {
        string p = $"/test/{Guid.NewGuid():N}/";
        await using ICoordinatorStore writer = EtcdClients.Open(_kind, _etcd.Url);
        await using ICoordinatorStore watcher = EtcdClients.Open(_kind, _etcd.Url);
        long first = await writer.PutAsync(p + "k", "0");
        await using var watch = new WatchRecorder(watcher, p, first);
        Assert.Equal(first, (await watch.NextAsync()).Revision);

        // Both tokens expire while idle; the writer's next call meets "invalid auth token".
        await Task.Delay(TimeSpan.FromSeconds(3));
        long idle = await writer.PutAsync(p + "k", "1");
        StoreEvent afterIdle = await watch.NextAsync();
        Assert.Equal(("1", idle), (afterIdle.Value, afterIdle.Revision));

        // The first member (the JSON store's preferred one; one of gRPC's balanced ones) dies: its watch stream breaks.
        _etcd.Cluster.Members[0].Kill();
        var revisions = new List<long>();
        for (int i = 2; i <= 4; i++)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            revisions.Add(await writer.PutAsync(p + "k", i.ToString(CultureInfo.InvariantCulture), cancellationToken: bound.Token));
        }

        Assert.Equal("4", (await writer.GetAsync(p + "k"))!.Value);
        for (int i = 2; i <= 4; i++)
        {
            StoreEvent change = await watch.NextAsync(TimeSpan.FromSeconds(20));
            Assert.Equal((i.ToString(CultureInfo.InvariantCulture), revisions[i - 2]), (change.Value, change.Revision));
        }

        await watch.AssertNothingAsync(TimeSpan.FromMilliseconds(300));
    }
}
