using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tessera.Controller.Metrics;

/// <summary>
/// The controller's metrics as <see cref="System.Diagnostics.Metrics"/> instruments (meter <see cref="MeterName"/>),
/// served at the API's <c>/metrics</c> (viewer token) the same way as the proxy's (<see cref="Tessera.Metrics.MetricsExposition"/>,
/// architecture §12): whether it leads, the health probes of every server, route pushes to proxies and their acks,
/// migrations and the keys and bytes they moved, failovers and how long they took, and every event of the event log
/// by kind, running migrations' slots and keys left and rate, and each replica's lag in bytes and in time. Labels are
/// bounded: namespaces, outcomes and event kinds from fixed lists, and replicas (the servers of the topology) for the
/// lag; never keys (a failover's servers are in the event log, which says more than a label could).
/// </summary>
public sealed class ControllerMetrics : IDisposable
{
    public const string MeterName = "Tessera.Controller";

    private static int _instances;

    private readonly Meter _meter;
    private readonly Histogram<double> _probeDuration;
    private readonly Histogram<double> _pushDuration;
    private readonly Counter<long> _migrations;
    private readonly Counter<long> _migratedKeys;
    private readonly Counter<long> _migratedBytes;
    private readonly Histogram<double> _failoverDuration;
    private readonly Counter<long> _events;
    private Func<bool> _leading = static () => false;
    private Func<IReadOnlyList<MigrationSample>> _running = static () => [];
    private IReadOnlyList<ReplicaLagSample> _lags = [];
    private IReadOnlyList<Measurement<int>> _firing = [];
    private IReadOnlyDictionary<string, IReadOnlyList<Measurement<double>>> _insight = new Dictionary<string, IReadOnlyList<Measurement<double>>>();

    public ControllerMetrics()
    {
        // One meter name per controller in the process, as the proxy does (tests host several side by side).
        int instance = Interlocked.Increment(ref _instances);
        Name = instance == 1 ? MeterName : $"{MeterName}.{instance}";
        _meter = new Meter(Name);
        _meter.CreateObservableGauge("tessera.controller.leader", () => _leading() ? 1 : 0, null, "1 while this controller holds the leader lock, else 0");
        _probeDuration = _meter.CreateHistogram<double>("tessera.controller.probe.duration", "s", "Health probes of redis-servers (PING and INFO replication) by result, ok or failed (its _count is the probes)");
        _pushDuration = _meter.CreateHistogram<double>("tessera.controller.push.duration", "s", "Route pushes to one proxy, from the first attempt to its outcome: acked, waited-out (its registration expired) or unacknowledged");
        _migrations = _meter.CreateCounter<long>("tessera.controller.migrations", null, "Slot migrations that ended, by namespace and outcome (done, cancelled, failed)");
        _migratedKeys = _meter.CreateCounter<long>("tessera.controller.migration.keys", null, "Keys the controller's mover moved, by namespace");
        _migratedBytes = _meter.CreateCounter<long>("tessera.controller.migration.bytes", "By", "Bytes of DUMP payload the controller's mover moved, by namespace");
        _failoverDuration = _meter.CreateHistogram<double>("tessera.controller.failover.duration", "s", "Automatic and manual failovers, from the decision to the committed switch of the proxies, by namespace");
        _meter.CreateObservableGauge("tessera.controller.migration.slots_left", () => Each(_running(), static m => m.SlotsLeft), null, "Slots of running migrations whose keys have not all moved yet, by namespace");
        _meter.CreateObservableGauge("tessera.controller.migration.keys_left", () => Each(_running(), static m => m.KeysLeft), null, "Estimated keys still to move in running migrations, by namespace");
        _meter.CreateObservableGauge("tessera.controller.migration.key_rate", () => Each(_running(), static m => m.KeysPerSecond), null, "Keys per second the running migrations move, by namespace");
        _meter.CreateObservableGauge("tessera.controller.replica.lag", () => Lags(static l => l.Bytes), "By", "Replication offset a replica is behind its master, measured at the same instant (the leader, four times a second)");
        _meter.CreateObservableGauge("tessera.controller.replica.lag_time", () => Lags(static l => l.Seconds), "s", "How long ago the master was at the replica's offset now: the replica's lag in time (0.25 s resolution, up to 60 s)");
        _meter.CreateObservableGauge("tessera.controller.replica.fresh", () => Lags(static l => l.Fresh ? 1.0 : 0.0), null, "1 while the replica may serve reads (linked, not syncing, within the namespace's maxLag), else 0");
        Insight("tessera.controller.server.up", null, "1 while the server answers the leader's INFO, else 0, by namespace, group and server");
        Insight("tessera.controller.server.memory.used", "By", "used_memory of each server (INFO memory)");
        Insight("tessera.controller.server.memory.max", "By", "maxmemory of each server, for servers that have one");
        Insight("tessera.controller.group.master", null, "1 for each group's master as the store has it (namespace, group, server)");
        Insight("tessera.controller.group.healthy_replicas", null, "Replicas of each group that are up and linked to its master");
        Insight("tessera.controller.health.score", null, "Each server's health score, 0 (down) to 100; tessera health says what took points off");
        Insight("tessera.controller.migration.stalled", "s", "Seconds a running (not paused) migration of the namespace has moved no key and finished no slot");
        Insight("tessera.controller.proxy.routes_stale", null, "1 while a live proxy serves other routes than the store's for a namespace (or does not answer), else 0");
        Insight("tessera.controller.certificate.expiry", "s", "Seconds until a namespace's backend TLS certificate (ca or client) expires");
        _meter.CreateObservableGauge("tessera.controller.alerts.firing", () => Volatile.Read(ref _firing), null, "Alerts firing now, by rule and severity (the leader; tessera alert list)");
        _events = _meter.CreateCounter<long>("tessera.controller.events", null, "Events of the event log (tessera events) this controller recorded, by kind: down, up, failover, promoted, failover-failed, …");
    }

    /// <summary>The meter's name in this process ("Tessera.Controller", then "Tessera.Controller.2" …), for the exporter.</summary>
    public string Name { get; }

    /// <summary>Where the leader gauge reads from (set once the election exists).</summary>
    public void ObserveLeadership(Func<bool> leading) => _leading = leading;

    public void Probe(bool ok, TimeSpan took) => _probeDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("result", ok ? "ok" : "failed"));

    public void Push(string outcome, TimeSpan took) => _pushDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void MigrationEnded(string ns, string outcome) =>
        _migrations.Add(1, new KeyValuePair<string, object?>("namespace", ns), new KeyValuePair<string, object?>("outcome", outcome));

    public void Moved(string ns, long keys, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("namespace", ns);
        _migratedKeys.Add(keys, tag);
        _migratedBytes.Add(bytes, tag);
    }

    public void Failover(string ns, TimeSpan took) => _failoverDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("namespace", ns));

    public void Event(string kind) => _events.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Where the migration gauges read from: the running migrations now.</summary>
    public void ObserveMigrations(Func<IReadOnlyList<MigrationSample>> running) => _running = running;

    /// <summary>The replicas' lag as the last freshness round measured it (all namespaces; empty when not leading).</summary>
    public void ReplicaLags(IReadOnlyList<ReplicaLagSample> lags) => Volatile.Write(ref _lags, lags);

    /// <summary>The replicas' lag as the last freshness round measured it.</summary>
    public IReadOnlyList<ReplicaLagSample> CurrentLags => Volatile.Read(ref _lags);

    /// <summary>
    /// The insight round's gauges, whole, keyed by instrument name (<see cref="InsightNames"/>): each with its series
    /// now. A name left out has no series until the next round gives it some.
    /// </summary>
    public void InsightGauges(IReadOnlyDictionary<string, IReadOnlyList<Measurement<double>>> gauges) => Volatile.Write(ref _insight, gauges);

    /// <summary>The instrument names the insight round fills.</summary>
    public static IReadOnlyList<string> InsightNames { get; } =
    [
        "tessera.controller.server.up", "tessera.controller.server.memory.used", "tessera.controller.server.memory.max",
        "tessera.controller.group.master", "tessera.controller.group.healthy_replicas", "tessera.controller.health.score",
        "tessera.controller.migration.stalled", "tessera.controller.proxy.routes_stale", "tessera.controller.certificate.expiry",    ];

    /// <summary>The alerts firing now, counted by rule and severity (the evaluator, after each evaluation).</summary>
    public void AlertsFiring(IEnumerable<(string Rule, string Severity, int Count)> firing) =>
        Volatile.Write(ref _firing, [.. firing.Select(static f => new Measurement<int>(f.Count, new KeyValuePair<string, object?>("rule", f.Rule), new KeyValuePair<string, object?>("severity", f.Severity)))]);

    private void Insight(string name, string? unit, string description) =>
        _meter.CreateObservableGauge(name, () => Volatile.Read(ref _insight).GetValueOrDefault(name) ?? [], unit, description);

    private static IEnumerable<Measurement<double>> Each(IReadOnlyList<MigrationSample> running, Func<MigrationSample, double> value) =>
        running.GroupBy(static m => m.Namespace, StringComparer.Ordinal)
            .Select(g => new Measurement<double>(g.Sum(value), new KeyValuePair<string, object?>("namespace", g.Key)));

    private IEnumerable<Measurement<double>> Lags(Func<ReplicaLagSample, double?> value)
    {
        foreach (var lag in Volatile.Read(ref _lags))
        {
            if (value(lag) is { } v)
            {
                yield return new Measurement<double>(
                    v,
                    new KeyValuePair<string, object?>("namespace", lag.Namespace),
                    new KeyValuePair<string, object?>("group", lag.Group),
                    new KeyValuePair<string, object?>("replica", lag.Replica));
            }
        }
    }

    /// <summary>The time since <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static TimeSpan Since(long started) => Stopwatch.GetElapsedTime(started);

    public void Dispose() => _meter.Dispose();
}

/// <summary>One running migration as the gauges see it.</summary>
public readonly record struct MigrationSample(string Namespace, int SlotsLeft, long KeysLeft, double KeysPerSecond, string Id = "", bool Paused = false);

/// <summary>One replica's lag in a freshness round: bytes and seconds when it follows its master, else null.</summary>
public readonly record struct ReplicaLagSample(string Namespace, int Group, string Replica, long? Bytes, double? Seconds, bool Fresh);
