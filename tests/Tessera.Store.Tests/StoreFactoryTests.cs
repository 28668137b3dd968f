using Tessera.Store.Etcd;
using Tessera.Store.Files;

namespace Tessera.Store.Tests;

public sealed class StoreFactoryTests
{
    [Fact]
    public async Task File_urls_open_a_file_store()
    {
        string directory = Path.Combine(Path.GetTempPath(), "tessera-factory-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using ICoordinatorStore store = StoreFactory.Open("file://" + directory);
            FileStore file = Assert.IsType<FileStore>(store);
            Assert.Equal(directory, file.Directory);
            Assert.Equal("file://" + directory, store.Url);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Etcd_urls_open_an_etcd_store_with_every_endpoint()
    {
        await using ICoordinatorStore store = StoreFactory.Open("etcd://10.0.0.1:2379,etcd-b:12379,etcd-c");
        EtcdStore etcd = Assert.IsType<EtcdStore>(store);
        Assert.Equal(["http://10.0.0.1:2379/", "http://etcd-b:12379/", "http://etcd-c:2379/"], etcd.Endpoints.Select(e => e.ToString()));
        Assert.Equal("etcd://10.0.0.1:2379,etcd-b:12379,etcd-c:2379", store.Url);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/var/lib/tessera")]
    [InlineData("redis://127.0.0.1:6379")]
    [InlineData("file://relative/path")]
    [InlineData("file:relative")]
    [InlineData("etcd://")]
    [InlineData("etcd://a:2379,,b:2379")]
    [InlineData("etcd://a:notaport")]
    [InlineData("etcd://a:2379/path")]
    public void Anything_else_is_refused_with_the_accepted_forms(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => StoreFactory.Open(url));
        Assert.Contains("file:///", error.Message, StringComparison.Ordinal);
        Assert.Contains("etcd://[user[:password]@]host:port", error.Message, StringComparison.Ordinal);
    }
}
