using Microsoft.Extensions.Logging;
using Tessera.Controller.Election;
using Tessera.Controller.Events;
using Tessera.Controller.Health;
using Tessera.Controller.Metrics;
using Tessera.Controller.Pushes;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Resp.Servers;
using Tessera.Store;

namespace Tessera.Controller.Failover;

/// <summary>
/// Failure detection wired to failover in one controller (architecture §5): it owns the <see cref="HealthMonitor"/>
/// (probes, opinions, votes), hands the monitor's leader rounds to the <see cref="FailoverCoordinator"/>, and
/// keeps the <see cref="EventLog"/>. It is what the API calls for events, the health report (with the latest
/// failovers), manual promotion and passive failure reports.
/// </summary>
internal sealed class FailoverService : IAsyncDisposable
{
    private readonly NamespaceRepository _namespaces;
    private readonly LeaderElection _election;
    private readonly Func<OperationRefusedException> _standby;
    private readonly ServerLogins _logins;
    private readonly ControllerOptions _options;
    private readonly FailoverRecords _records;
    private readonly OpinionBoard _board;
    private readonly ILogger _logger;

    public FailoverService(ICoordinatorStore store, NamespaceRepository namespaces, SlotSwitch slotSwitch, LeaderElection election, Func<OperationRefusedException> standby, ServerLogins logins, ControllerOptions options, ControllerMetrics metrics, TimeProvider time, ILogger logger)
    {
        _namespaces = namespaces;
        _election = election;
        _standby = standby;
        _logins = logins;
        _options = options;
        _logger = logger;
        var id = options.EffectiveId;
        Events = new EventLog(store, id, metrics, time, logger);
        _records = new FailoverRecords(store, logger);
        _board = new OpinionBoard(store, id, options.LeaseTtl, time, logger);
        Coordinator = new FailoverCoordinator(namespaces, slotSwitch, _records, Events, logins, options, metrics, time, logger);
        Monitor = new HealthMonitor(logins, _board, Events, election, options.Health, metrics, id, time, logger)
        {
            LeaderRound = Coordinator.RoundAsync,
            ExtraServers = () => Coordinator.PendingServers,
        };
        Coordinator.ProbeNow = server => Monitor.Suspect(server);
        Freshness = new ReplicaFreshness(store, () => Monitor.Namespaces, logins, election, options.Health, metrics, time, logger);
    }

    /// <summary>Which replicas may serve reads, measured by the leader and written for the proxies.</summary>
    public ReplicaFreshness Freshness { get; }

    public EventLog Events { get; }

    public HealthMonitor Monitor { get; }

    public FailoverCoordinator Coordinator { get; }

    /// <summary>Starts probing; <paramref name="url"/> is this controller's API address for its membership record.</summary>
    public void Start(string url)
    {
        _board.Url = url;
        Monitor.Start();
        Freshness.Start();
    }

    /// <summary>The newest events, oldest first.</summary>
    public Task<IReadOnlyList<ControllerEvent>> ListEventsAsync(int limit, CancellationToken cancellationToken) => Events.ListAsync(limit, cancellationToken);

    /// <summary>Every group's health as this controller's probes see it, and the latest failovers.</summary>
    public async Task<HealthReport> HealthAsync(CancellationToken cancellationToken)
    {
        var records = await _records.ListAsync(cancellationToken).ConfigureAwait(false);
        var health = _options.Health;
        var groups = new List<GroupHealth>();
        foreach (var stored in Monitor.Namespaces)
        {
            foreach (var group in stored.Config.Groups.OrderBy(static g => g.Id))
            {
                var record = records.FirstOrDefault(r => r.Record.Namespace == stored.Config.Name && r.Record.Group == group.Id)?.Record;
                groups.Add(Describe(stored.Config.Name, group, record, health));
            }
        }

        return new HealthReport
        {
            Controller = _options.EffectiveId,
            IsLeader = _election.IsLeader,
            DownAfterSeconds = health.DownAfter.TotalSeconds,
            ProbeIntervalSeconds = health.ProbeInterval.TotalSeconds,
            ReplicaLagThreshold = health.ReplicaLagThreshold,
            AutomaticFailover = health.AutomaticFailover,
            Tilted = Monitor.Tilted,
            Groups = groups,
            Failovers = [.. records.Select(static r => r.Record)],
        };
    }

    /// <summary><paramref name="report"/> with each server's health problems (and groups at risk) added to its <see cref="ServerStatus.Problem"/>.</summary>
    public async Task<StatusReport> AnnotateAsync(StatusReport report, CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<string, FreshReplicas?>(StringComparer.Ordinal);
        foreach (var ns in report.Namespaces)
        {
            fresh[ns.Name] = await Freshness.StoredAsync(ns.Name, cancellationToken).ConfigureAwait(false);
        }

        return StatusAnnotations.Apply(report, await HealthAsync(cancellationToken).ConfigureAwait(false), fresh);
    }

    /// <summary>
    /// <c>tessera group promote</c>: <paramref name="address"/> becomes the group's master by the failover's path. A
    /// live master is switched over without losing writes (proxies hold them, the replica catches up, then the
    /// old master becomes its replica); a dead one is failed over as the automatic failover would.
    /// </summary>
    public async Task<ChangeResult> PromoteAsync(string name, int groupId, string? address, CancellationToken requestAborted)
    {
        var ns = NamespaceRepository.ValidateName(name);
        if (!ServerAddress.TryParse(address, out _))
        {
            throw OperationRefusedException.BadRequest($"'{address}' is not a server address: write host:port of one of the group's replicas, e.g. 127.0.0.1:7002");
        }

        var term = _election.Term ?? throw _standby();
        var current = await _namespaces.RequireAsync(ns, requestAborted).ConfigureAwait(false);
        var group = current.Config.Groups.FirstOrDefault(g => g.Id == groupId)
            ?? throw OperationRefusedException.NotFound($"namespace '{ns}' has no group {groupId}; see its groups with `tessera status`");
        if (group.Master.Length == 0)
        {
            throw OperationRefusedException.Conflict($"group {groupId} of '{ns}' has no master yet; add one with `tessera group add {ns} {groupId} host:port`");
        }

        if (string.Equals(group.Master, address, StringComparison.OrdinalIgnoreCase))
        {
            throw OperationRefusedException.Conflict($"{address} is already the master of group {groupId} in '{ns}'");
        }

        var master = await ServerProbe.OnceAsync(group.Master, _logins.For(group.Master), _options.ServerTimeout, requestAborted).ConfigureAwait(false);
        var alive = master.Ok && master.Role == "master";
        var request = new FailoverRequest(ns, groupId, group.Master, "manual promotion", address, Manual: true, MasterAlive: alive, alive ? TimeSpan.Zero : _options.Health.DownAfter);
        _logger.LogInformation("Manual promotion of {Address} in group {Group} of {Namespace} (master {Master} {State}).", address, groupId, ns, group.Master, alive ? "answers" : "does not answer");
        FailoverOutcome outcome;
        try
        {
            // Not cancelled by the caller going away: a promotion that has begun is finished or rolled back.
            outcome = await Coordinator.FailoverAsync(request, term).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (term.IsCancellationRequested)
        {
            throw OperationRefusedException.Unavailable("this controller stopped being the leader during the promotion; the failover record in the store lets the new leader finish it: check `tessera events`", e);
        }

        return outcome.Result == FailoverResult.Promoted && outcome.Change is { } change
            ? new ChangeResult { Namespace = change.Stored.Config, Summary = outcome.Summary, Warnings = outcome.Warnings ?? [], Pushes = change.Pushes }
            : throw OperationRefusedException.Conflict(outcome.Summary);
    }

    /// <summary>A proxy's report that a backend failed: that server is probed at once (it never decides alone). False when it is not watched.</summary>
    public bool Report(BackendFailureReport report)
    {
        var known = Monitor.Suspect(report.Server);
        _logger.LogDebug("Proxy {Reporter} reports {Server} failing ({Problem}); {Action}.", report.Reporter, report.Server, report.Problem, known ? "probing it now" : "not a watched server");
        return known;
    }

    /// <summary>Stops as a crash would: the membership lease (and this controller's votes) is left to expire.</summary>
    public void Abandon() => _board.Abandon();

    public async ValueTask DisposeAsync()
    {
        await Freshness.DisposeAsync().ConfigureAwait(false);
        await Monitor.DisposeAsync().ConfigureAwait(false);
        await _board.DisposeAsync().ConfigureAwait(false);
        Coordinator.Dispose();
    }

    private GroupHealth Describe(string ns, GroupConfig group, FailoverRecord? record, HealthOptions health)
    {
        var masterWatch = group.Master.Length == 0 ? null : Monitor.Watch(group.Master);
        var servers = new List<ServerHealth>();
        var flags = new List<string>();
        if (group.Master.Length > 0)
        {
            var verdict = ServerVerdict.Judge("master", masterWatch, group.Master, masterWatch, health);
            servers.Add(Server(group.Master, "master", verdict, masterWatch, candidate: false));
            if (verdict.Health == ServerHealthStates.Down)
            {
                flags.Add(GroupHealthFlags.MasterDown);
            }
        }

        var maxLinkDown = health.DownAfter * 10 + (masterWatch?.Silence ?? TimeSpan.Zero);
        var candidates = 0;
        foreach (var replica in group.Replicas)
        {
            var watch = Monitor.Watch(replica);
            var verdict = ServerVerdict.Judge("replica", watch, group.Master, masterWatch, health);
            var candidate = watch?.State.Last is { Ok: true } probe && ReplicaSelection.Exclude(new ReplicaCandidate(replica, probe), group.Master, maxLinkDown) is null;
            candidates += candidate ? 1 : 0;
            servers.Add(Server(replica, "replica", verdict, watch, candidate));
        }

        if (group.Master.Length > 0 && group.Replicas.Count == 0)
        {
            flags.Add(GroupHealthFlags.NoReplica);
        }
        else if (group.Master.Length > 0 && candidates == 0)
        {
            flags.Add(GroupHealthFlags.NoUsableReplica);
        }

        if (record?.State == FailoverStates.Promoting)
        {
            flags.Add(GroupHealthFlags.FailoverInProgress);
        }
        else if (record?.State == FailoverStates.AwaitingRejoin)
        {
            flags.Add(GroupHealthFlags.AwaitingRejoin);
        }

        return new GroupHealth { Namespace = ns, Group = group.Id, Master = group.Master, Flags = flags, Servers = servers };
    }

    private static ServerHealth Server(string address, string role, ServerVerdict verdict, ServerWatch? watch, bool candidate) => new()
    {
        Address = address,
        Role = role,
        Health = verdict.Health,
        Detail = verdict.Detail,
        SilentSeconds = Math.Round(watch?.Silence.TotalSeconds ?? 0, 2),
        Offset = watch?.State.LastAnswer?.Offset,
        LagBytes = verdict.LagBytes,
        Priority = watch?.State.LastAnswer?.Priority,
        ServesReads = verdict.ServesReads(role),
        FailoverCandidate = candidate,
    };
}
