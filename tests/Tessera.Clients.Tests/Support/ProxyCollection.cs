namespace Tessera.Clients.Tests.Support;

/// <summary>Tests that share one <see cref="ProxyCluster"/> (they run one after the other).</summary>
[CollectionDefinition(Name)]
public sealed class ProxyCollection : ICollectionFixture<ProxyCluster>
{
    public const string Name = "proxy";
}
