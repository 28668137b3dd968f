using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Events;

/// <summary>
/// The bounded list of <see cref="ControllerEvent"/>s in the store: one JSON document holding the newest
/// <see cref="Capacity"/> events, appended with compare-and-set so every controller (leader and standbys)
/// can add its own. Every event is also logged. Recording never fails the caller: a failover is not held up
/// or stopped because the store would not take an event (that is logged instead).
/// </summary>
internal sealed class EventLog
{
    /// <summary>Events kept; older ones are dropped.</summary>
    public const int Capacity = ControllerEvent.Kept;

    /// <summary>The document's key.</summary>
    public const string Key = StorePaths.ControllerEvents;

    private const int MaxAttempts = 8;

    private readonly ICoordinatorStore _store;
    private readonly string _controller;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public EventLog(ICoordinatorStore store, string controllerId, TimeProvider time, ILogger logger)
    {
        _store = store;
        _controller = controllerId;
        _time = time;
        _logger = logger;
    }

    /// <summary>Logs and stores one event.</summary>
    public async Task RecordAsync(string kind, string message, string? ns = null, int? group = null, string? server = null, CancellationToken cancellationToken = default)
    {
        var recorded = new ControllerEvent
        {
            Time = _time.GetUtcNow(),
            Kind = kind,
            Controller = _controller,
            Namespace = ns,
            Group = group,
            Server = server,
            Message = message,
        };
        if (kind is EventKinds.NoReplica or EventKinds.FailoverFailed or EventKinds.ObjectivelyDown or EventKinds.Down)
        {
            _logger.LogWarning("{Kind}: {Message}", kind, message);
        }
        else
        {
            _logger.LogInformation("{Kind}: {Message}", kind, message);
        }

        try
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var current = await _store.GetAsync(Key, cancellationToken).ConfigureAwait(false);
                var events = Read(current);
                events.Add(recorded);
                if (events.Count > Capacity)
                {
                    events.RemoveRange(0, events.Count - Capacity);
                }

                var document = JsonSerializer.Serialize(new EventDocument(events), TesseraJson.Options);
                if (await _store.CompareAndSetAsync(Key, document, current?.Revision ?? 0, lease: null, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }

            _logger.LogWarning("The event \"{Message}\" was not stored: the event list changed {Attempts} times in a row while appending.", message, MaxAttempts);
        }
        catch (Exception e) when (e is CoordinatorStoreException or OperationCanceledException or HttpRequestException)
        {
            _logger.LogWarning("The event \"{Message}\" was not stored ({Problem}).", message, e.Message);
        }
    }

    /// <summary>The newest <paramref name="limit"/> events, oldest first.</summary>
    public async Task<IReadOnlyList<ControllerEvent>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var events = Read(await _store.GetAsync(Key, cancellationToken).ConfigureAwait(false));
        return events.Count <= limit ? events : events.GetRange(events.Count - limit, limit);
    }

    private List<ControllerEvent> Read(StoreRecord? record)
    {
        if (record is null)
        {
            return [];
        }

        try
        {
            return [.. JsonSerializer.Deserialize<EventDocument>(record.Value, TesseraJson.Options)?.Events ?? []];
        }
        catch (JsonException e)
        {
            // Starting a fresh list is better than never recording again; the broken one is reported.
            _logger.LogWarning("The event list {Key} is unreadable ({Problem}); it is replaced by a new one.", record.Key, e.Message);
            return [];
        }
    }

    private sealed record EventDocument(IReadOnlyList<ControllerEvent> Events);
}
