namespace Tessera.Clients.Tests.Cluster;

/// <summary>
/// Three proxies with the cluster face on over two redis-server groups (a <see cref="FaceCluster"/>), shared by the
/// cluster client tests; each test leaves three proxies running (it stops one and starts another).
/// </summary>
public sealed class FaceClusterFixture : IAsyncLifetime
{
    public FaceCluster Face { get; private set; } = null!;

    public async Task InitializeAsync() => Face = await FaceCluster.StartAsync(proxies: 3, groups: 2);

    public async Task DisposeAsync()
    {
        if (Face is not null)
        {
            await Face.DisposeAsync();
        }
    }
}

/// <summary>Tests that share one <see cref="FaceClusterFixture"/> (they run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class FaceCollection : ICollectionFixture<FaceClusterFixture>
{
    public const string Name = "cluster-face";
}
