using Tessera.Local.Etcd;

namespace Tessera.Store.Tests.Etcd;

/// <summary>An etcd cluster of <see cref="Size"/> members shared by the tests of one class.</summary>
public abstract class EtcdFixture : IAsyncLifetime
{
    protected abstract int Size { get; }

    public EtcdCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await EtcdCluster.StartAsync(Size);

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>One etcd member.</summary>
public sealed class SingleEtcdFixture : EtcdFixture
{
    protected override int Size => 1;
}

/// <summary>Three etcd members: one may die and the cluster keeps its quorum.</summary>
public sealed class EtcdTrioFixture : EtcdFixture
{
    protected override int Size => 3;
}

/// <summary>
/// The two etcd clients the contract suites run against: the production <see cref="Tessera.Store.Etcd.EtcdStore"/> (etcd's JSON
/// gateway over HttpClient) and <see cref="Grpc.GrpcEtcdStore"/> (dotnet-etcd 10.0.0 over gRPC), kept for the evaluation recorded in EtcdStore.cs.
/// </summary>
public enum EtcdClientKind
{
    JsonGateway,
    Grpc,
}

public static class EtcdClients
{
    /// <summary>A store for <paramref name="url"/> (etcd://, etcds://, with credentials), parsed as StoreFactory parses it.</summary>
    public static ICoordinatorStore Open(EtcdClientKind kind, string url) =>
        kind == EtcdClientKind.JsonGateway ? StoreFactory.Open(url) : Grpc.GrpcEtcdStore.Open(url);

    public static ICoordinatorStore Open(EtcdClientKind kind, IReadOnlyList<Uri> endpoints, Tessera.Store.Etcd.EtcdStoreOptions options) =>
        kind == EtcdClientKind.JsonGateway ? new Tessera.Store.Etcd.EtcdStore(endpoints, options) : new Grpc.GrpcEtcdStore(endpoints, options);
}
