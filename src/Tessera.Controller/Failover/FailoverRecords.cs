using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Failover;

/// <summary>A failover record with the revision to compare-and-set against.</summary>
internal sealed record StoredFailover(FailoverRecord Record, long Revision);

/// <summary>
/// Failover records in the store, one per group, each written with compare-and-set so two controllers that
/// both believe they lead cannot both start (or both finish) the same failover.
/// </summary>
internal sealed class FailoverRecords
{
    private readonly ICoordinatorStore _store;
    private readonly ILogger _logger;

    public FailoverRecords(ICoordinatorStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
    }

    public static string Key(string ns, int groupId) => StorePaths.Failover(ns, groupId);

    /// <summary>The group's latest failover, or null.</summary>
    public async Task<StoredFailover?> GetAsync(string ns, int groupId, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(Key(ns, groupId), cancellationToken).ConfigureAwait(false);
        return record is null ? null : Read(record);
    }

    /// <summary>Every group's latest failover (unreadable records are logged and left out).</summary>
    public async Task<IReadOnlyList<StoredFailover>> ListAsync(CancellationToken cancellationToken)
    {
        var found = new List<StoredFailover>();
        foreach (var record in await _store.ListAsync(StorePaths.Failovers, cancellationToken).ConfigureAwait(false))
        {
            if (Read(record) is { } stored)
            {
                found.Add(stored);
            }
        }

        return found;
    }

    /// <summary>Writes <paramref name="record"/> if the stored one is still at <paramref name="expectedRevision"/> (0: absent); the new revision, or null when it changed.</summary>
    public async Task<StoredFailover?> TryWriteAsync(FailoverRecord record, long expectedRevision, CancellationToken cancellationToken)
    {
        var key = Key(record.Namespace, record.Group);
        var document = JsonSerializer.Serialize(record, TesseraJson.Options);
        if (!await _store.CompareAndSetAsync(key, document, expectedRevision, lease: null, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        // The revision to compare against next time, but only if what is there is still what we wrote.
        var written = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return written is not null && Read(written) is { } stored && stored.Record == record ? stored : null;
    }

    private StoredFailover? Read(StoreRecord record)
    {
        try
        {
            return JsonSerializer.Deserialize<FailoverRecord>(record.Value, TesseraJson.Options) is { } failover
                ? new StoredFailover(failover, record.Revision)
                : null;
        }
        catch (JsonException e)
        {
            _logger.LogWarning("Ignoring the failover record {Key}: it is not a failover record ({Problem}); delete it.", record.Key, e.Message);
            return null;
        }
    }
}
