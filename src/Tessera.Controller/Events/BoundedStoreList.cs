using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Events;

/// <summary>
/// A bounded list kept in the store as one JSON document (<c>{"events": […]}</c>, the field named by the caller) holding the newest
/// <see cref="Capacity"/> items, appended with compare-and-set so every controller (leader and standbys) can
/// add to it. Appending never throws for a store failure: the caller's work (a failover, an API answer) must
/// not fail because a record could not be kept, so the failure is logged instead. The event log and the audit
/// log are two of these.
/// </summary>
/// <typeparam name="T">The item, serialised with <see cref="TesseraJson.Options"/>.</typeparam>
internal sealed class BoundedStoreList<T>
{
    private const int MaxAttempts = 8;

    private readonly ICoordinatorStore _store;
    private readonly string _key;
    private readonly string _field;
    private readonly string _what;
    private readonly ILogger _logger;

    /// <param name="store">Where the document lives.</param>
    /// <param name="key">Its key (from <see cref="StorePaths"/>).</param>
    /// <param name="capacity">Items kept; older ones are dropped.</param>
    /// <param name="field">The document's one field, holding the items ("events", "entries").</param>
    /// <param name="what">What the list is called in log lines ("event list", "audit log").</param>
    /// <param name="logger">Where failures to append are reported.</param>
    public BoundedStoreList(ICoordinatorStore store, string key, int capacity, string field, string what, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _store = store;
        _key = key;
        Capacity = capacity;
        _field = field;
        _what = what;
        _logger = logger;
    }

    /// <summary>Items kept; older ones are dropped.</summary>
    public int Capacity { get; }

    /// <summary>Appends <paramref name="item"/>; true when stored, false (logged with <paramref name="description"/>) when not.</summary>
    public async Task<bool> AppendAsync(T item, string description, CancellationToken cancellationToken = default)
    {
        try
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var current = await _store.GetAsync(_key, cancellationToken).ConfigureAwait(false);
                var items = Read(current);
                items.Add(item);
                if (items.Count > Capacity)
                {
                    items.RemoveRange(0, items.Count - Capacity);
                }

                var document = JsonSerializer.Serialize(new Dictionary<string, List<T>> { [_field] = items }, TesseraJson.Options);
                if (await _store.CompareAndSetAsync(_key, document, current?.Revision ?? 0, lease: null, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }

            _logger.LogWarning("{Description} was not added to the {What}: it changed {Attempts} times in a row while appending.", description, _what, MaxAttempts);
        }
        catch (Exception e) when (e is CoordinatorStoreException or OperationCanceledException or HttpRequestException)
        {
            _logger.LogWarning("{Description} was not added to the {What} ({Problem}).", description, _what, e.Message);
        }

        return false;
    }

    /// <summary>The newest <paramref name="limit"/> items, oldest first.</summary>
    public async Task<IReadOnlyList<T>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var items = Read(await _store.GetAsync(_key, cancellationToken).ConfigureAwait(false));
        return items.Count <= limit ? items : items.GetRange(items.Count - limit, limit);
    }

    private List<T> Read(StoreRecord? record)
    {
        if (record is null)
        {
            return [];
        }

        try
        {
            var document = JsonSerializer.Deserialize<Dictionary<string, List<T>>>(record.Value, TesseraJson.Options);
            return document is not null && document.TryGetValue(_field, out var items) && items is not null ? items : [];
        }
        catch (JsonException e)
        {
            // Starting a fresh list is better than never recording again; the broken one is reported.
            _logger.LogWarning("The {What} {Key} is unreadable ({Problem}); it is replaced by a new one.", _what, record.Key, e.Message);
            return [];
        }
    }
}
