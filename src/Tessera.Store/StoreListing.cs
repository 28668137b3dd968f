using System.Collections;

namespace Tessera.Store;

/// <summary>
/// The records under a prefix, sorted by key, together with the store revision the listing reflects.
/// Watching from <see cref="Revision"/> + 1 continues without a gap (an event may repeat what the listing
/// already showed; applying it again is harmless because puts carry whole values).
/// </summary>
public sealed class StoreListing : IReadOnlyList<StoreRecord>
{
    private readonly StoreRecord[] _records;

    public StoreListing(StoreRecord[] records, long revision)
    {
        ArgumentNullException.ThrowIfNull(records);
        _records = records;
        Revision = revision;
    }

    /// <summary>The store revision at (or just before) the moment the listing was taken.</summary>
    public long Revision { get; }

    public int Count => _records.Length;

    public StoreRecord this[int index] => _records[index];

    public IEnumerator<StoreRecord> GetEnumerator() => ((IEnumerable<StoreRecord>)_records).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _records.GetEnumerator();
}
