using Tessera.Store.Files;

namespace Tessera.Store.Tests.Files;

/// <summary>The store contract on a fresh temp directory per test.</summary>
public sealed class FileStoreTests : StoreContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-store-").FullName;

    protected override ICoordinatorStore OpenStore() => StoreFactory.Open(new Uri(_directory).AbsoluteUri);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Documents_mirror_key_paths()
    {
        await Store.PutAsync("/tessera/namespaces/default", """{"name":"default"}""");
        await Store.PutAsync("/tessera/namespaces/default/groups/1", "{}");
        await Store.PutAsync("/odd/a.json", "1");
        await Store.PutAsync("/odd/a.json/child", "2");
        await Store.PutAsync("/odd/.hidden", "3");

        Assert.True(File.Exists(Path.Combine(_directory, "keys", "tessera", "namespaces", "default.json")));
        Assert.True(File.Exists(Path.Combine(_directory, "keys", "tessera", "namespaces", "default", "groups", "1.json")));
        Assert.Contains("\"name\":\"default\"", await File.ReadAllTextAsync(Path.Combine(_directory, "keys", "tessera", "namespaces", "default.json")), StringComparison.Ordinal);
        Assert.Equal(["/odd/.hidden", "/odd/a.json", "/odd/a.json/child"], (await Store.ListAsync("/odd/")).Select(r => r.Key));
    }

    [Fact]
    public async Task A_writer_removes_documents_of_expired_leases()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromMilliseconds(300));
        await Store.PutAsync(P + "ephemeral", "1", lease);
        string document = Path.Combine(_directory, "keys", "test", P.Split('/')[2], "ephemeral.json");
        Assert.True(File.Exists(document));
        await Task.Delay(500);
        Assert.Null(await Store.GetAsync(P + "ephemeral"));
        await Store.PutAsync(P + "other", "2");
        Assert.False(File.Exists(document));
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "leases")));
    }

    [Fact]
    public async Task A_watcher_too_far_behind_gets_a_reset()
    {
        await using var small = new FileStore(_directory, new FileStoreOptions { ChangeLogSegmentBytes = 1024, ChangeLogSegments = 2 });
        for (int i = 0; i < 60; i++)
        {
            await small.PutAsync(P + "k" + (i % 3), $"{{\"i\":{i},\"pad\":\"{new string('x', 40)}\"}}");
        }

        Assert.Equal(2, Directory.GetFiles(Path.Combine(_directory, "changes")).Length);
        long current = (await small.ListAsync(P)).Revision;
        await using var watch = new Support.WatchRecorder(small, P, fromRevision: 1);
        StoreEvent reset = await watch.NextAsync();
        Assert.Equal((StoreEventKind.Reset, P, current), (reset.Kind, reset.Key, reset.Revision));
        long next = await small.PutAsync(P + "after", "1");
        Assert.Equal((P + "after", next), ((await watch.NextAsync()) is var e ? (e.Key, e.Revision) : default));

        // A watcher within the kept history still catches up exactly.
        await using var recent = new Support.WatchRecorder(small, P, current - 3);
        for (long r = current - 3; r <= current; r++)
        {
            Assert.Equal(r, (await recent.NextAsync()).Revision);
        }
    }
}
