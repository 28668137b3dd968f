using Tessera.Store.Tests.Support;

namespace Tessera.Store.Tests;

/// <summary>The watch and concurrency part of the contract: ordered events, resumption, several writers and instances.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Watch_sees_puts_and_deletes_in_order()
    {
        await Store.PutAsync(P + "before", "0");
        long start = (await Store.ListAsync(P)).Revision + 1;
        await using var watch = new WatchRecorder(Store, P, start);

        long r1 = await Store.PutAsync(P + "a", "1");
        Assert.True(await Store.CreateAsync(P + "b", "2"));
        Assert.True(await Store.DeleteAsync(P + "a"));
        StoreRecord b = (await Store.GetAsync(P + "b"))!;
        Assert.True(await Store.CompareAndSetAsync(P + "b", "3", b.Revision));
        await Store.PutAsync(P[..^1] + "-outside", "1");
        Assert.True(await Store.DeleteAsync(P + "before"));

        var expected = new (StoreEventKind Kind, string Key, string? Value)[]
        {
            (StoreEventKind.Put, P + "a", "1"),
            (StoreEventKind.Put, P + "b", "2"),
            (StoreEventKind.Delete, P + "a", null),
            (StoreEventKind.Put, P + "b", "3"),
            (StoreEventKind.Delete, P + "before", null),
        };
        long previous = 0;
        foreach (var (kind, key, value) in expected)
        {
            StoreEvent change = await watch.NextAsync();
            Assert.Equal((kind, key, value), (change.Kind, change.Key, change.Value));
            Assert.True(change.Revision > previous, $"revision {change.Revision} after {previous}");
            previous = change.Revision;
        }

        StoreRecord latest = (await Store.GetAsync(P + "b"))!;
        Assert.True(r1 >= start);
        Assert.True(latest.Revision < previous);
        await watch.AssertNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Watch_without_a_revision_starts_with_the_next_change()
    {
        await Store.PutAsync(P + "old", "1");
        await using var watch = new WatchRecorder(Store, P, fromRevision: null);

        // The watch pins "now" when it starts running, which the test cannot observe: write until a change
        // arrives. Whatever arrives first must be one of these writes, never the older one.
        for (int attempt = 1; ; attempt++)
        {
            await Store.PutAsync(P + "new", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                StoreEvent change = await watch.NextAsync(TimeSpan.FromSeconds(1));
                Assert.Equal(P + "new", change.Key);
                return;
            }
            catch (TimeoutException) when (attempt < 10)
            {
                // Not started yet; write again.
            }
        }
    }

    [Fact]
    public async Task Watch_resumes_from_a_revision()
    {
        var revisions = new List<long>();
        for (int i = 0; i < 6; i++)
        {
            revisions.Add(await Store.PutAsync(P + "k" + (i % 2), i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await using var watch = new WatchRecorder(Store, P, revisions[3]);
        for (int i = 3; i < 6; i++)
        {
            StoreEvent change = await watch.NextAsync();
            Assert.Equal(revisions[i], change.Revision);
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), change.Value);
        }

        long more = await Store.PutAsync(P + "k9", "9");
        Assert.Equal(more, (await watch.NextAsync()).Revision);
    }

    [Fact]
    public async Task Cancelling_ends_a_watch()
    {
        using var cts = new CancellationTokenSource();
        IAsyncEnumerator<StoreEvent> watch = Store.WatchAsync(P, null, cts.Token).GetAsyncEnumerator(cts.Token);
        ValueTask<bool> next = watch.MoveNextAsync();
        await Task.Delay(200);
        await cts.CancelAsync();
        Task waiting = next.AsTask();
        Assert.True(await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(10))) == waiting, "the watch did not stop within 10 s");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Concurrent_compare_and_set_has_exactly_one_winner_per_round()
    {
        ICoordinatorStore[] stores = [Store, OpenAnother()];
        const int contenders = 8;
        long revision = await Store.PutAsync(P + "counter", "-1");
        for (int round = 0; round < 10; round++)
        {
            long expected = revision;
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, contenders).Select(id => Task.Run(async () =>
            {
                await go.Task;
                return (id, won: await stores[id % stores.Length].CompareAndSetAsync(P + "counter", $"{{\"round\":{round},\"winner\":{id}}}", expected));
            })).ToArray();
            go.SetResult();
            (int id, bool won)[] results = await Task.WhenAll(attempts);
            int[] winners = results.Where(r => r.won).Select(r => r.id).ToArray();
            Assert.True(winners.Length == 1, $"round {round}: {winners.Length} winners");

            StoreRecord record = (await Store.GetAsync(P + "counter"))!;
            Assert.Equal($"{{\"round\":{round},\"winner\":{winners[0]}}}", record.Value);
            Assert.True(record.Revision > revision);
            revision = record.Revision;
        }
    }

    [Fact]
    public async Task Two_instances_see_each_others_writes_watches_and_leases()
    {
        ICoordinatorStore other = OpenAnother();
        long start = (await Store.ListAsync(P)).Revision + 1;
        await using var watch = new WatchRecorder(other, P, start);

        await Store.PutAsync(P + "from-first", "1");
        Assert.Equal("1", (await other.GetAsync(P + "from-first"))!.Value);
        StoreEvent seen = await watch.NextAsync();
        Assert.Equal(P + "from-first", seen.Key);

        Assert.True(await other.CreateAsync(P + "from-second", "2"));
        Assert.False(await Store.CreateAsync(P + "from-second", "3"));
        Assert.Equal(P + "from-second", (await watch.NextAsync()).Key);

        long lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        Assert.True(await other.CreateAsync(P + "leased", "4", lease));
        Assert.True(await other.KeepAliveAsync(lease));
        await other.RevokeLeaseAsync(lease);
        Assert.Null(await Store.GetAsync(P + "leased"));
        Assert.Equal(P + "leased", (await watch.NextAsync()).Key);
        Assert.Equal((StoreEventKind.Delete, P + "leased"), ((await watch.NextAsync()) is var d ? (d.Kind, d.Key) : default));
        Assert.Equal([P + "from-first", P + "from-second"], (await other.ListAsync(P)).Select(r => r.Key));
    }
}
