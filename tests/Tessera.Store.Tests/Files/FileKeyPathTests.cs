using Tessera.Store.Files;

namespace Tessera.Store.Tests.Files;

public sealed class FileKeyPathTests
{
    [Theory]
    [InlineData("/tessera/namespaces/default", "tessera/namespaces/default.json")]
    [InlineData("/tessera/controller/opinions/c1/127.0.0.1:6379", "tessera/controller/opinions/c1/127.0.0.1:6379.json")]
    [InlineData("/a/b.json", "a/b%2Ejson.json")]
    [InlineData("/a/.hidden", "a/%2Ehidden.json")]
    [InlineData("/a/..", "a/%2E..json")]
    [InlineData("/a/x y%z/ü", "a/x%20y%25z/%C3%BC.json")]
    public void Keys_map_to_paths_and_back(string key, string path)
    {
        string relative = path.Replace('/', Path.DirectorySeparatorChar);
        Assert.Equal(relative, FileKeyPath.ToRelativePath(key));
        Assert.True(FileKeyPath.TryGetKey(relative, out string back));
        Assert.Equal(key, back);
    }

    [Theory]
    [InlineData(".a.json.tmp-123")]
    [InlineData("a/.b.json")]
    [InlineData("a/b.txt")]
    [InlineData("a/%ZZ.json")]
    [InlineData("a/%C3.json")]
    public void Stray_files_are_not_keys(string path)
    {
        Assert.False(FileKeyPath.TryGetKey(path.Replace('/', Path.DirectorySeparatorChar), out _));
    }

    [Theory]
    [InlineData("/", "")]
    [InlineData("/tessera/", "tessera")]
    [InlineData("/tessera/name", "tessera")]
    [InlineData("/a/b.json/", "a/b%2Ejson")]
    public void A_prefix_lists_from_its_last_complete_folder(string prefix, string folder)
    {
        Assert.Equal(folder.Replace('/', Path.DirectorySeparatorChar), FileKeyPath.DirectoryForPrefix(prefix));
    }
}
