using Microsoft.Extensions.Logging;
using Tessera.Controller.Metrics;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Events;

/// <summary>
/// The bounded list of <see cref="ControllerEvent"/>s in the store (a <see cref="BoundedStoreList{T}"/> of the
/// newest <see cref="Capacity"/> events) that every controller (leader and standbys) adds its own to. Every event
/// is also logged. Recording never fails the caller: a failover is not held up or stopped because the store would
/// not take an event (that is logged instead).
/// </summary>
internal sealed class EventLog
{
    /// <summary>Events kept; older ones are dropped.</summary>
    public const int Capacity = ControllerEvent.Kept;

    /// <summary>The document's key.</summary>
    public const string Key = StorePaths.ControllerEvents;

    private readonly BoundedStoreList<ControllerEvent> _list;
    private readonly string _controller;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private readonly ControllerMetrics _metrics;

    public EventLog(ICoordinatorStore store, string controllerId, ControllerMetrics metrics, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _list = new BoundedStoreList<ControllerEvent>(store, Key, Capacity, "events", "event list", logger);
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
        _metrics.Event(kind);
        if (kind is EventKinds.NoReplica or EventKinds.FailoverFailed or EventKinds.ObjectivelyDown or EventKinds.Down)
        {
            _logger.LogWarning("{Kind}: {Message}", kind, message);
        }
        else
        {
            _logger.LogInformation("{Kind}: {Message}", kind, message);
        }

        await _list.AppendAsync(recorded, $"The event \"{message}\"", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The newest <paramref name="limit"/> events, oldest first.</summary>
    public Task<IReadOnlyList<ControllerEvent>> ListAsync(int limit, CancellationToken cancellationToken) => _list.ListAsync(limit, cancellationToken);
}
