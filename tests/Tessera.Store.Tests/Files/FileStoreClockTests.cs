using Tessera.Store.Files;
using Tessera.Store.Tests.Support;

namespace Tessera.Store.Tests.Files;

/// <summary>Lease expiry in the file store follows the injected clock exactly.</summary>
public sealed class FileStoreClockTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-store-clock-").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private FileStore _store = null!;

    public Task InitializeAsync()
    {
        _store = new FileStore(_directory, new FileStoreOptions { TimeProvider = _clock });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Leases_expire_when_the_clock_passes_their_ttl()
    {
        long lease = await _store.GrantLeaseAsync(TimeSpan.FromSeconds(10));
        long created = await _store.PutAsync("/p/ephemeral", "1", lease);
        await using var watch = new WatchRecorder(_store, "/p/", created + 1);

        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.NotNull(await _store.GetAsync("/p/ephemeral"));
        Assert.True(await _store.KeepAliveAsync(lease));

        _clock.Advance(TimeSpan.FromSeconds(9.9));
        Assert.NotNull(await _store.GetAsync("/p/ephemeral"));
        await watch.AssertNothingAsync(TimeSpan.FromMilliseconds(400));

        _clock.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Null(await _store.GetAsync("/p/ephemeral"));
        Assert.Empty(await _store.ListAsync("/p/"));

        // Nobody writes: the watcher's own sweep removes the record and reports the delete.
        StoreEvent gone = await watch.NextAsync();
        Assert.Equal((StoreEventKind.Delete, "/p/ephemeral"), (gone.Kind, gone.Key));
        Assert.False(await _store.KeepAliveAsync(lease));
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
