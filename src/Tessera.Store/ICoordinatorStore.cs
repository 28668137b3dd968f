namespace Tessera.Store;

/// <summary>
/// The coordinator store every Tessera process shares: a small, strongly consistent key/value space with
/// global revisions, compare-and-set, watches and leases. Two implementations are chosen by URL through
/// <see cref="StoreFactory.Open"/>: a directory of JSON documents for one machine and etcd v3 for many.
/// </summary>
/// <remarks>
/// <para>Keys are absolute paths ("/tessera/namespaces/default"): they start with '/', have no empty
/// segments and do not end with '/'. All key paths Tessera uses live in <see cref="StorePaths"/>.
/// Values are JSON text (one JSON value, UTF-8 on the wire and on disk).</para>
/// <para>Every change gets a revision from one counter shared by all keys, so revisions only grow, across
/// keys as well as within one (like etcd). A record's <see cref="StoreRecord.Revision"/> is the revision of
/// its last change and is what compare-and-set compares.</para>
/// <para>A record written with a lease is ephemeral: it vanishes (and watchers see a delete) when the lease
/// expires or is revoked. A write that would happen with a lease that does not exist or has expired
/// throws <see cref="LeaseNotFoundException"/> (a compare-and-set whose comparison fails just returns false).</para>
/// <para>Failures to reach the store throw <see cref="CoordinatorStoreException"/>; a result of false always
/// means the condition did not hold, never that the store was unreachable.</para>
/// </remarks>
public interface ICoordinatorStore : IAsyncDisposable
{
    /// <summary>Where this store lives, for logs and error messages ("file:///var/lib/tessera", "etcd://a:2379,b:2379").</summary>
    string Url { get; }

    /// <summary>The record at <paramref name="key"/>, or null when there is none.</summary>
    Task<StoreRecord?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every record whose key starts with <paramref name="prefix"/> (a plain string prefix, "/" for all),
    /// sorted by key, with the store revision the listing reflects: watch from
    /// <see cref="StoreListing.Revision"/> + 1 to follow on without a gap.
    /// </summary>
    Task<StoreListing> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="key"/> only if it does not exist; false when it does.</summary>
    Task<bool> CreateAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="key"/> only if its current <see cref="StoreRecord.Revision"/> is
    /// <paramref name="expectedRevision"/> (0 = only if it does not exist); false otherwise.
    /// </summary>
    Task<bool> CompareAndSetAsync(string key, string value, long expectedRevision, long? lease = null, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="key"/> unconditionally and returns the revision of the write.</summary>
    Task<long> PutAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <paramref name="key"/>; with <paramref name="expectedRevision"/>, only if that is its current
    /// revision. False when there was nothing to delete or the revision did not match.
    /// </summary>
    Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes to keys starting with <paramref name="prefix"/>, in revision order, from
    /// <paramref name="fromRevision"/> (inclusive) or, when null, from the next change on. The sequence
    /// never ends by itself: it survives reconnects and store restarts and stops only when
    /// <paramref name="cancellationToken"/> is cancelled (then it throws <see cref="OperationCanceledException"/>).
    /// When the store can no longer supply the history asked for (compacted or rotated away), it yields one
    /// <see cref="StoreEventKind.Reset"/> event: the consumer must re-list and carries on with what follows.
    /// </summary>
    IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long? fromRevision = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a lease that lives <paramref name="ttl"/> unless kept alive and returns its id (never 0).
    /// etcd counts whole seconds (rounded up) and may raise very short TTLs to its minimum; renew well
    /// inside the TTL, e.g. every third of it.
    /// </summary>
    Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>Renews <paramref name="lease"/> for another full TTL; false when it has expired, was revoked or never existed.</summary>
    Task<bool> KeepAliveAsync(long lease, CancellationToken cancellationToken = default);

    /// <summary>Ends <paramref name="lease"/> now and deletes every record attached to it. Unknown leases are ignored.</summary>
    Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default);
}
