using Tessera.Store.Tests.Support;

namespace Tessera.Store.Tests;

/// <summary>The lease part of the contract: ephemeral records live exactly as long as their lease.</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task Records_of_an_expired_lease_vanish()
    {
        long lease = await Store.GrantLeaseAsync(LeaseTtl);
        Assert.True(await Store.CreateAsync(P + "ephemeral", "1", lease));
        await Store.PutAsync(P + "durable", "1");
        StoreRecord record = (await Store.GetAsync(P + "ephemeral"))!;
        Assert.Equal(lease, record.Lease);

        await Eventually.TrueAsync(async () => await Store.GetAsync(P + "ephemeral") is null, LeaseTtl + ExpiryGrace, "the ephemeral record's removal");
        Assert.False(await Store.KeepAliveAsync(lease));
        Assert.Equal([P + "durable"], (await Store.ListAsync(P)).Select(r => r.Key));

        // The key is free again, and an expired lease cannot be written with.
        Assert.True(await Store.CreateAsync(P + "ephemeral", "2"));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.PutAsync(P + "other", "1", lease));
    }

    [Fact]
    public async Task Keepalive_keeps_leased_records()
    {
        long lease = await Store.GrantLeaseAsync(LeaseTtl);
        Assert.True(await Store.CreateAsync(P + "ephemeral", "1", lease));
        var until = DateTime.UtcNow + (LeaseTtl * 2.5);
        while (DateTime.UtcNow < until)
        {
            Assert.True(await Store.KeepAliveAsync(lease), "keepalive of a live lease");
            Assert.NotNull(await Store.GetAsync(P + "ephemeral"));
            await Task.Delay(LeaseTtl / 4);
        }

        await Eventually.TrueAsync(async () => await Store.GetAsync(P + "ephemeral") is null, LeaseTtl + ExpiryGrace, "expiry after keepalives stopped");
    }

    [Fact]
    public async Task Revoke_removes_leased_records_at_once()
    {
        long lease = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        long other = await Store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        Assert.True(await Store.CreateAsync(P + "one", "1", lease));
        Assert.True(await Store.CompareAndSetAsync(P + "two", "2", 0, lease));
        await Store.PutAsync(P + "moved", "3", lease);
        await Store.PutAsync(P + "moved", "4", other);

        await Store.RevokeLeaseAsync(lease);
        Assert.Null(await Store.GetAsync(P + "one"));
        Assert.Null(await Store.GetAsync(P + "two"));
        Assert.Equal("4", (await Store.GetAsync(P + "moved"))!.Value);
        Assert.False(await Store.KeepAliveAsync(lease));
        Assert.True(await Store.KeepAliveAsync(other));

        // Unknown and already revoked leases are no error.
        await Store.RevokeLeaseAsync(lease);
        await Store.RevokeLeaseAsync(424242);
        Assert.False(await Store.KeepAliveAsync(424242));
        await Store.RevokeLeaseAsync(other);
        Assert.Null(await Store.GetAsync(P + "moved"));
    }

    [Fact]
    public async Task Writes_that_would_apply_with_an_unknown_lease_throw()
    {
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.PutAsync(P + "k", "1", 987654321));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.CreateAsync(P + "k", "1", 987654321));
        Assert.Null(await Store.GetAsync(P + "k"));

        long revision = await Store.PutAsync(P + "k", "1");
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => Store.CompareAndSetAsync(P + "k", "2", revision, 987654321));

        // A comparison that fails never gets as far as the lease.
        Assert.False(await Store.CreateAsync(P + "k", "2", 987654321));
        Assert.False(await Store.CompareAndSetAsync(P + "k", "2", revision + 1000, 987654321));
        Assert.Equal("1", (await Store.GetAsync(P + "k"))!.Value);
    }

    [Fact]
    public async Task Watch_sees_lease_expiry_as_deletes()
    {
        long lease = await Store.GrantLeaseAsync(LeaseTtl);
        long created = await Store.PutAsync(P + "ephemeral", "1", lease);
        await using var watch = new WatchRecorder(Store, P, created + 1);
        StoreEvent change = await watch.NextAsync(LeaseTtl + ExpiryGrace);
        Assert.Equal((StoreEventKind.Delete, P + "ephemeral"), (change.Kind, change.Key));
    }
}
