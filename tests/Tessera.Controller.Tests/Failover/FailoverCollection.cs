namespace Tessera.Controller.Tests.Failover;

/// <summary>The failover tests run one after another: they measure recovery times, which parallel clusters on two cores would distort.</summary>
[CollectionDefinition(Name)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}
