namespace Tessera.Store.Tests;

/// <summary>
/// The whole <see cref="ICoordinatorStore"/> contract. Each implementation's test class derives from this and
/// says how to open a store (every call a new instance on the same backend). Every test works under its own
/// random prefix, so tests may share one backend.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    private readonly List<ICoordinatorStore> _opened = [];

    protected StoreContractTests()
    {
        P = $"/test/{Guid.NewGuid():N}/";
    }

    /// <summary>This test's own prefix.</summary>
    protected string P { get; }

    protected ICoordinatorStore Store { get; private set; } = null!;

    /// <summary>TTL for lease tests: short to keep the suite fast, long enough for a loaded machine.</summary>
    protected virtual TimeSpan LeaseTtl => TimeSpan.FromSeconds(2);

    /// <summary>How long an expired lease may take to remove its records (etcd's leader checks every 500 ms).</summary>
    protected virtual TimeSpan ExpiryGrace => TimeSpan.FromSeconds(5);

    /// <summary>A new store instance on the same backend as every other one this test opens.</summary>
    protected abstract ICoordinatorStore OpenStore();

    protected ICoordinatorStore OpenAnother()
    {
        ICoordinatorStore store = OpenStore();
        _opened.Add(store);
        return store;
    }

    public virtual Task InitializeAsync()
    {
        Store = OpenAnother();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (ICoordinatorStore store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Get_of_a_missing_key_is_null()
    {
        Assert.Null(await Store.GetAsync(P + "missing"));
    }

    [Fact]
    public async Task Create_writes_once_and_get_returns_value_and_revisions()
    {
        Assert.True(await Store.CreateAsync(P + "a", """{"name":"a","n":1}"""));
        StoreRecord? record = await Store.GetAsync(P + "a");
        Assert.NotNull(record);
        Assert.Equal(P + "a", record.Key);
        Assert.Equal("""{"name":"a","n":1}""", record.Value);
        Assert.True(record.Revision > 0);
        Assert.Equal(record.Revision, record.CreateRevision);
        Assert.Equal(1, record.Version);
        Assert.Null(record.Lease);

        Assert.False(await Store.CreateAsync(P + "a", """{"other":true}"""));
        Assert.Equal("""{"name":"a","n":1}""", (await Store.GetAsync(P + "a"))!.Value);
    }

    [Fact]
    public async Task Values_round_trip_exactly()
    {
        string[] values = ["null", "0", "\"text with \\\"quotes\\\" and ünïcödé\"", "[1,2,{\"a\":[]}]", "{\n  \"indented\": true\n}", "{\"big\":\"" + new string('x', 100_000) + "\"}"];
        for (int i = 0; i < values.Length; i++)
        {
            await Store.PutAsync(P + "v" + i, values[i]);
            Assert.Equal(values[i], (await Store.GetAsync(P + "v" + i))!.Value);
        }
    }

    [Fact]
    public async Task Compare_and_set_succeeds_only_on_the_current_revision()
    {
        Assert.False(await Store.CompareAndSetAsync(P + "k", "1", expectedRevision: 12345));
        Assert.True(await Store.CompareAndSetAsync(P + "k", "1", expectedRevision: 0));
        Assert.False(await Store.CompareAndSetAsync(P + "k", "2", expectedRevision: 0));

        StoreRecord first = (await Store.GetAsync(P + "k"))!;
        Assert.True(await Store.CompareAndSetAsync(P + "k", "2", first.Revision));
        Assert.False(await Store.CompareAndSetAsync(P + "k", "3", first.Revision));

        StoreRecord second = (await Store.GetAsync(P + "k"))!;
        Assert.Equal("2", second.Value);
        Assert.True(second.Revision > first.Revision);
        Assert.Equal(first.CreateRevision, second.CreateRevision);
        Assert.Equal(2, second.Version);
    }

    [Fact]
    public async Task Put_overwrites_and_returns_the_revision_it_wrote()
    {
        long first = await Store.PutAsync(P + "k", "1");
        long second = await Store.PutAsync(P + "k", "2");
        Assert.True(second > first);
        StoreRecord record = (await Store.GetAsync(P + "k"))!;
        Assert.Equal(second, record.Revision);
        Assert.Equal(first, record.CreateRevision);
        Assert.Equal("2", record.Value);
    }

    [Fact]
    public async Task Delete_honours_the_expected_revision()
    {
        Assert.False(await Store.DeleteAsync(P + "k"));
        long revision = await Store.PutAsync(P + "k", "1");
        Assert.False(await Store.DeleteAsync(P + "k", revision + 1000));
        Assert.NotNull(await Store.GetAsync(P + "k"));
        Assert.True(await Store.DeleteAsync(P + "k", revision));
        Assert.Null(await Store.GetAsync(P + "k"));

        await Store.PutAsync(P + "k", "2");
        Assert.True(await Store.DeleteAsync(P + "k"));
        Assert.False(await Store.DeleteAsync(P + "k"));

        // A recreated key starts over.
        Assert.True(await Store.CreateAsync(P + "k", "3"));
        StoreRecord again = (await Store.GetAsync(P + "k"))!;
        Assert.Equal(1, again.Version);
        Assert.Equal(again.Revision, again.CreateRevision);
    }

    [Fact]
    public async Task List_returns_keys_under_a_string_prefix_sorted()
    {
        string[] keys = [P + "b/c", P + "a", P + "ab", P + "b", P + "a.json/x", P + "z/y/x"];
        foreach (string key in keys)
        {
            await Store.PutAsync(key, $"\"{key}\"");
        }

        await Store.PutAsync(P[..^1] + "-outside", "1");

        StoreListing all = await Store.ListAsync(P);
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(r => r.Key));
        Assert.All(all, r => Assert.Equal($"\"{r.Key}\"", r.Value));
        Assert.True(all.Revision >= all.Max(r => r.Revision));

        Assert.Equal([P + "a", P + "a.json/x", P + "ab"], (await Store.ListAsync(P + "a")).Select(r => r.Key));
        Assert.Equal([P + "b/c"], (await Store.ListAsync(P + "b/")).Select(r => r.Key));
        Assert.Empty(await Store.ListAsync(P + "nothing/"));
    }

    [Fact]
    public async Task Revisions_grow_across_keys()
    {
        long previous = (await Store.ListAsync(P)).Revision;
        for (int i = 0; i < 5; i++)
        {
            long a = await Store.PutAsync(P + "a", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(await Store.CreateAsync(P + "c" + i, "true"));
            long c = (await Store.GetAsync(P + "c" + i))!.Revision;
            long b = await Store.PutAsync(P + "b", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(previous < a && a < c && c < b, $"revisions {previous} < {a} < {c} < {b}");
            previous = b;
        }

        Assert.True((await Store.ListAsync("/")).Revision >= previous);
    }

    [Fact]
    public async Task Bad_keys_and_values_are_refused()
    {
        foreach (string key in new[] { "", "relative", "/", "/trailing/", "/a//b", "/tab\there" })
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(key, "1"));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetAsync(key));
        }

        foreach (string value in new[] { "", "not json", "{} {}", "{\"a\":", "'single'" })
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(P + "k", value));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CompareAndSetAsync(P + "k", value, 0));
        }

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ListAsync("no-slash"));
        Assert.Throws<ArgumentException>(() => Store.WatchAsync("no-slash"));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GrantLeaseAsync(TimeSpan.Zero));
        Assert.Null(await Store.GetAsync(P + "k"));
    }
}
