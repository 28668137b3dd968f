namespace Tessera.Store.Tests;

public sealed class StorePathsTests
{
    [Fact]
    public void Paths_follow_the_documented_layout()
    {
        Assert.Equal("/tessera/namespaces/default", StorePaths.Namespace("default"));
        Assert.Equal("/tessera/namespaces/default/groups/3", StorePaths.Group("default", 3));
        Assert.Equal("/tessera/namespaces/default/slots", StorePaths.Slots("default"));
        Assert.Equal("/tessera/namespaces/default/epoch", StorePaths.Epoch("default"));
        Assert.Equal("/tessera/proxies/p-1", StorePaths.Proxy("p-1"));
        Assert.Equal("/tessera/controller/opinions/c1/10.0.0.5:6379", StorePaths.ControllerOpinion("c1", "10.0.0.5:6379"));
        Assert.Equal("/tessera/migrations/default/m7", StorePaths.Migration("default", "m7"));
        Assert.StartsWith(StorePaths.Controller, StorePaths.ControllerLeader, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("has space")]
    public void Names_that_would_break_paths_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => StorePaths.Namespace(name));
    }

    [Fact]
    public void Direct_children_are_told_apart_from_deeper_keys()
    {
        Assert.True(StorePaths.TryGetChildName(StorePaths.Namespaces, StorePaths.Namespace("default"), out string name));
        Assert.Equal("default", name);
        Assert.False(StorePaths.TryGetChildName(StorePaths.Namespaces, StorePaths.Slots("default"), out _));
        Assert.False(StorePaths.TryGetChildName(StorePaths.Namespaces, StorePaths.Proxy("p"), out _));
    }
}
