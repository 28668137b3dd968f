using Microsoft.Extensions.Logging;
using Tessera.Controller.Events;
using Tessera.Controller.Health;
using Tessera.Controller.Metrics;
using Tessera.Controller.Pushes;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;

namespace Tessera.Controller.Failover;

/// <summary>What to fail over: a group whose master is <see cref="FailedMaster"/>, automatically or to <see cref="Target"/>.</summary>
/// <param name="Reason">In words, for the record and the events: "3 of 3 controllers agree", "manual promotion".</param>
/// <param name="Target">The replica to promote (manual promotion), or null to choose one.</param>
/// <param name="MasterAlive">True when the master still answers (a manual switchover): writes are paused on it and the replica catches up first.</param>
/// <param name="MasterSilence">How long the master has been silent (widens how stale a replica's link may be, as in Sentinel).</param>
internal sealed record FailoverRequest(string Namespace, int Group, string FailedMaster, string Reason, string? Target, bool Manual, bool MasterAlive, TimeSpan MasterSilence)
{
    /// <summary>The failed master's replication offset when it last answered: how far the chosen replica is behind it is what may be lost.</summary>
    public long? MasterOffset { get; init; }
}

/// <summary>How a failover attempt ended.</summary>
internal enum FailoverResult
{
    /// <summary>A new master is committed and pushed.</summary>
    Promoted,

    /// <summary>Nothing to do: the group's master is not the failed one any more.</summary>
    NotNeeded,

    /// <summary>No replica can take over; the group stays down.</summary>
    NoCandidate,

    /// <summary>A step failed; nothing was committed and the attempt may be retried.</summary>
    Failed,
}

/// <summary>The outcome of <see cref="FailoverCoordinator.FailoverAsync"/>.</summary>
internal sealed record FailoverOutcome(FailoverResult Result, string Summary, CommittedChange? Change = null, IReadOnlyList<string>? Warnings = null);

/// <summary>The points of a failover a test can stop at, to play a leader that dies there.</summary>
internal enum FailoverStep
{
    Recorded,
    Locked,
    Promoted,
    Committed,
}

/// <summary>
/// Fails a group's master over to one of its replicas (architecture §5), for the automatic failover and for
/// <c>tessera group promote</c> alike:
/// <list type="number">
/// <item>write a <see cref="FailoverRecord"/> (compare-and-set) naming the failed master and the chosen replica;</item>
/// <item>lock the group's slots (new epoch, pushed): proxies hold requests for them instead of failing them;</item>
/// <item><c>REPLICAOF NO ONE</c> on the chosen replica, <c>REPLICAOF</c> it on the other replicas;</item>
/// <item>commit the new master with the slots back online (new epoch, pushed): held requests go to the new master;</item>
/// <item>mark the record "awaiting rejoin": the old master is made a replica when it comes back, and listed only then.</item>
/// </list>
/// A leader that takes over finds a record still "promoting" and finishes that same promotion, so a failover
/// happens once even when the leader dies in the middle. Failovers run one at a time per controller.
/// </summary>
internal sealed partial class FailoverCoordinator : IDisposable
{
    private const int MaxAttempts = 3;

    private readonly NamespaceRepository _namespaces;
    private readonly SlotSwitch _switch;
    private readonly FailoverRecords _records;
    private readonly EventLog _events;
    private readonly ServerLogins _logins;
    private readonly HealthOptions _health;
    private readonly ControllerOptions _options;
    private readonly string _controllerId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _serial = new(1, 1);

    private readonly ControllerMetrics _metrics;

    public FailoverCoordinator(NamespaceRepository namespaces, SlotSwitch slotSwitch, FailoverRecords records, EventLog events, ServerLogins logins, ControllerOptions options, ControllerMetrics metrics, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _namespaces = namespaces;
        _switch = slotSwitch;
        _records = records;
        _events = events;
        _logins = logins;
        _options = options;
        _health = options.Health;
        _controllerId = options.EffectiveId;
        _time = time;
        _logger = logger;
    }

    /// <summary>Has a server probed again at once (set to the health monitor's <see cref="HealthMonitor.Suspect"/>).</summary>
    public Action<string>? ProbeNow { get; set; }

    /// <summary>Test seam: awaited at each <see cref="FailoverStep"/> with the term's token.</summary>
    internal Func<FailoverStep, FailoverRecord, CancellationToken, Task>? StepReached { get; set; }

    /// <summary>Runs one failover to its end (or to a clear failure), retrying when the namespace changed under it.</summary>
    public async Task<FailoverOutcome> FailoverAsync(FailoverRequest request, CancellationToken term)
    {
        await _serial.WaitAsync(term).ConfigureAwait(false);
        try
        {
            return await FailoverSeriallyAsync(request, term).ConfigureAwait(false);
        }
        finally
        {
            _serial.Release();
        }
    }

    /// <summary><see cref="FailoverAsync"/> for a caller that already holds <see cref="_serial"/>.</summary>
    private async Task<FailoverOutcome> FailoverSeriallyAsync(FailoverRequest request, CancellationToken term)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await PromoteAsync(request, term).ConfigureAwait(false);
            }
            catch (ConcurrentChangeException e)
            {
                if (attempt >= MaxAttempts)
                {
                    throw OperationRefusedException.Conflict($"the failover of group {request.Group} in '{request.Namespace}' gave up after {attempt} attempts: {e.Message}; it is retried on the next round (manual promotion: retry)", e);
                }

                _logger.LogInformation("Failover of group {Group} in {Namespace}: {Problem}; starting over from the store.", request.Group, request.Namespace, e.Message);
            }
        }
    }

    public void Dispose() => _serial.Dispose();

    private Task StepAsync(FailoverStep step, FailoverRecord record, CancellationToken term) =>
        StepReached?.Invoke(step, record, term) ?? Task.CompletedTask;

    /// <summary>Something else changed the namespace or the record between our read and our write.</summary>
    private sealed class ConcurrentChangeException : Exception
    {
        public ConcurrentChangeException(string message)
            : base(message)
        {
        }

        public ConcurrentChangeException()
        {
        }

        public ConcurrentChangeException(string message, Exception innerException)
            : base(message, innerException)
        {
        }
    }
}
