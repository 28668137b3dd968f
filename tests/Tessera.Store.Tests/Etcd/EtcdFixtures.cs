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
