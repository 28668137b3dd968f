using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Election;
using Tessera.Controller.Metrics;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Resp.Client;
using Tessera.Store;

namespace Tessera.Controller.Health;

/// <summary>
/// On the leader, measures which replicas may serve reads (architecture §10) and tells the proxies through the store:
/// every <see cref="HealthOptions.FreshnessInterval"/> it sends <c>INFO replication</c> to each group's master and
/// replicas at once (on kept-open connections), and a replica is fresh when it answered in time, follows that master,
/// its link is up, no sync is running, and its offset is within the namespace's <see cref="ReadSettings.MaxLagBytes"/>
/// of the master's. The set per namespace goes to <c>/tessera/namespaces/{ns}/reads</c> whenever it changes; proxies
/// follow that key. A group whose master does not answer has no fresh replica (its offset cannot be compared).
/// </summary>
/// <remarks>
/// Separate from the health watches (<see cref="ServerWatch"/>), which probe each server on its own clock once a second
/// for failure detection: a lag measured from two answers taken up to a second apart says little, and a replica that
/// stops answering must leave the reads within a fraction of a second, not after the down-after time. Measuring the
/// master and its replicas in the same instant makes the lag mean what it says.
/// </remarks>
internal sealed class ReplicaFreshness : IAsyncDisposable
{
    private readonly ICoordinatorStore _store;
    private readonly Func<IReadOnlyList<StoredNamespace>> _namespaces;
    private readonly ServerLogins _logins;
    private readonly LeaderElection _election;
    private readonly HealthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, RespClient> _clients = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The TLS each kept connection was opened with (one parsed instance per setting, so compared by reference).</summary>
    private readonly ConcurrentDictionary<string, Model.Security.BackendTlsClient?> _clientTls = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FreshReplicas> _written = new(StringComparer.Ordinal);
    private readonly ControllerMetrics _metrics;

    /// <summary>Each group's master offsets of the last minute, to tell a replica's lag in time (touched by one group's measurement at a time).</summary>
    private readonly ConcurrentDictionary<(string Ns, int Group), Queue<(long At, long Offset)>> _masterOffsets = new();
    private Task? _loop;

    public ReplicaFreshness(ICoordinatorStore store, Func<IReadOnlyList<StoredNamespace>> namespaces, ServerLogins logins, LeaderElection election, HealthOptions options, ControllerMetrics metrics, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _store = store;
        _namespaces = namespaces;
        _logins = logins;
        _election = election;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last set written per namespace (this controller, while it leads).</summary>
    public FreshReplicas? Latest(string ns)
    {
        lock (_written)
        {
            return _written.GetValueOrDefault(ns);
        }
    }

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await (_loop ?? Task.CompletedTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        foreach (var client in _clients.Values)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        bool led = false;
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(_options.FreshnessInterval, _time, stop).ConfigureAwait(false);
            if (!_election.IsLeader)
            {
                if (led)
                {
                    // A new term starts from what is in the store, whoever wrote it: forget what this one wrote.
                    lock (_written)
                    {
                        _written.Clear();
                    }

                    _masterOffsets.Clear();
                    _metrics.ReplicaLags([]);
                    led = false;
                }

                continue;
            }

            led = true;
            try
            {
                await RoundAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                _logger.LogWarning("Measuring replica freshness failed ({Reason}); retrying", e.Message);
            }
        }
    }

    private async Task RoundAsync(CancellationToken stop)
    {
        var namespaces = _namespaces();
        var servers = namespaces.SelectMany(static n => n.Config.Groups).SelectMany(static g => g.Replicas.Count == 0 ? [] : g.Replicas.Append(g.Master)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var address in _clients.Keys.Where(a => !servers.Contains(a)).ToList())
        {
            if (_clients.TryRemove(address, out var gone))
            {
                await gone.DisposeAsync().ConfigureAwait(false);
            }
        }

        var measured = await Task.WhenAll(namespaces.Select(ns => MeasureAsync(ns.Config, stop))).ConfigureAwait(false);
        _metrics.ReplicaLags([.. measured.SelectMany(static m => m.Lags)]);
        foreach (var fresh in measured)
        {
            if (fresh.Name is not { } name)
            {
                continue;
            }

            FreshReplicas? previous;
            lock (_written)
            {
                previous = _written.GetValueOrDefault(name);
            }

            if (fresh.Replicas.SameSets(previous))
            {
                continue;
            }

            if (previous is null && await StoredAsync(name, stop).ConfigureAwait(false) is { } stored && fresh.Replicas.SameSets(stored))
            {
                lock (_written)
                {
                    _written[name] = stored;
                }

                continue;
            }

            await _store.PutAsync(StorePaths.Reads(name), JsonSerializer.Serialize(fresh.Replicas, TesseraJson.Options), cancellationToken: stop).ConfigureAwait(false);
            lock (_written)
            {
                _written[name] = fresh.Replicas;
            }

            _logger.LogInformation("Fresh replicas of namespace {Namespace}: {Replicas}", name, Describe(fresh.Replicas));
        }
    }

    /// <summary>The fresh replicas of <paramref name="ns"/> as the store holds them (whoever leads wrote them); null when none were written.</summary>
    public async Task<FreshReplicas?> StoredAsync(string ns, CancellationToken stop)
    {
        if (await _store.GetAsync(StorePaths.Reads(ns), stop).ConfigureAwait(false) is not { } record)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<FreshReplicas>(record.Value, TesseraJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(FreshReplicas fresh) =>
        fresh.Groups.Count == 0 ? "none" : string.Join("; ", fresh.Groups.OrderBy(static g => g.Key).Select(static g => $"group {g.Key}: {(g.Value.Replicas.Count == 0 ? "none" : string.Join(", ", g.Value.Replicas))}"));

    private async Task<(string? Name, FreshReplicas Replicas, IEnumerable<ReplicaLagSample> Lags)> MeasureAsync(NamespaceConfig ns, CancellationToken stop)
    {
        var withReplicas = ns.Groups.Where(static g => g.Master.Length > 0 && g.Replicas.Count > 0).ToList();
        var now = _time.GetUtcNow();
        var groups = await Task.WhenAll(withReplicas.Select(g => MeasureGroupAsync(ns, g, stop))).ConfigureAwait(false);
        var fresh = new Dictionary<int, FreshGroup>();
        foreach (var group in groups)
        {
            if (group is { Replicas.Count: > 0 })
            {
                fresh[group.Id] = new FreshGroup(group.Master, group.Replicas);
            }
        }

        return (ns.Name, new FreshReplicas { Groups = fresh, MeasuredAt = now }, groups.SelectMany(static g => g.Lags));
    }

    private async Task<(int Id, string Master, IReadOnlyList<string> Replicas, IReadOnlyList<ReplicaLagSample> Lags)> MeasureGroupAsync(NamespaceConfig ns, GroupConfig group, CancellationToken stop)
    {
        var login = _logins.ForNamespace(ns.Name);
        var masterProbe = ProbeAsync(group.Master, login, stop);
        var replicaProbes = group.Replicas.Select(r => ProbeAsync(r, login, stop)).ToArray();
        var master = await masterProbe.ConfigureAwait(false);
        var replicas = await Task.WhenAll(replicaProbes).ConfigureAwait(false);
        long maxLag = ns.Reads?.MaxLagBytes ?? ReadSettings.Default.MaxLagBytes;
        var fresh = new List<string>();
        var lags = new List<ReplicaLagSample>(replicas.Length);
        var history = MasterHistory(ns.Name, group.Id, master);
        for (int i = 0; i < replicas.Length; i++)
        {
            bool isFresh = IsFresh(master, group.Master, replicas[i], maxLag);
            if (isFresh)
            {
                fresh.Add(group.Replicas[i]);
            }

            bool follows = master is { Ok: true, Role: "master" } && replicas[i] is { Ok: true, Role: "replica" } && ServerIdentity.SameServer(replicas[i].ReplicaOf, group.Master);
            lags.Add(new ReplicaLagSample(
                ns.Name,
                group.Id,
                group.Replicas[i],
                follows ? Math.Max(0, master.Offset - replicas[i].Offset) : null,
                follows ? LagSeconds(history, replicas[i].Offset) : null,
                isFresh));
        }

        return (group.Id, group.Master, fresh, lags);
    }

    /// <summary>Adds the master's offset now to its group's last minute of offsets (cleared when the master changes or does not answer).</summary>
    private Queue<(long At, long Offset)> MasterHistory(string ns, int group, ProbeResult master)
    {
        var history = _masterOffsets.GetOrAdd((ns, group), static _ => new Queue<(long, long)>());
        if (master is not { Ok: true, Role: "master" } || (history.Count > 0 && master.Offset < history.Last().Offset))
        {
            history.Clear();
        }

        if (master is { Ok: true, Role: "master" })
        {
            history.Enqueue((_time.GetTimestamp(), master.Offset));
            while (history.Count > 0 && _time.GetElapsedTime(history.Peek().At) > TimeSpan.FromMinutes(1))
            {
                history.Dequeue();
            }
        }

        return history;
    }

    /// <summary>
    /// How long ago the master was at <paramref name="offset"/>: 0 when the replica has all of it, else the age of the
    /// newest recorded master offset at or below it (the oldest record's age when it is further behind than the history).
    /// </summary>
    private double? LagSeconds(Queue<(long At, long Offset)> history, long offset)
    {
        if (history.Count == 0)
        {
            return null;
        }

        if (offset >= history.Last().Offset)
        {
            return 0;
        }

        long at = history.Peek().At;
        foreach (var (when, masterOffset) in history)
        {
            if (masterOffset > offset)
            {
                break;
            }

            at = when;
        }

        return _time.GetElapsedTime(at).TotalSeconds;
    }

    /// <summary>
    /// The rule: a replica may serve reads when it answered, follows <paramref name="masterAddress"/> (which answered as
    /// a master), its link is up, no full sync runs, and it is at most <paramref name="maxLag"/> bytes of replication
    /// offset behind the master's offset taken in the same round.
    /// </summary>
    internal static bool IsFresh(ProbeResult master, string masterAddress, ProbeResult replica, long maxLag) =>
        master is { Ok: true, Busy: false, Role: "master" }
        && replica is { Ok: true, Busy: false, Role: "replica", LinkUp: true, SyncInProgress: false }
        && ServerIdentity.SameServer(replica.ReplicaOf, masterAddress)
        && master.Offset - replica.Offset <= maxLag;

    /// <summary>INFO replication on the kept-open connection to <paramref name="address"/>; a failed answer drops the connection.</summary>
    private async Task<ProbeResult> ProbeAsync(string address, ServerLogin? login, CancellationToken stop)
    {
        var timeout = _options.FreshnessTimeout;
        try
        {
            if (_clients.ContainsKey(address) && !ReferenceEquals(_clientTls.GetValueOrDefault(address), login?.Tls) && _clients.TryRemove(address, out var stale))
            {
                // The namespace's TLS changed (set, rotated, removed): reopen with the new settings.
                await stale.DisposeAsync().ConfigureAwait(false);
            }

            if (!_clients.TryGetValue(address, out var client))
            {
                client = await ServerConnection.OpenAsync(address, login, timeout, stop).ConfigureAwait(false);
                client.Timeout = timeout;
                _clients[address] = client;
                _clientTls[address] = login?.Tls;
            }

            var reply = await client.CallAsync("INFO", "replication").WaitAsync(timeout, stop).ConfigureAwait(false);
            return reply.IsError || reply.AsString() is not { } text ? ProbeResult.Failed("INFO answered an error") : ProbeResult.Parse(text);
        }
        catch (Exception e) when (ServerProbe.IsConnectionFailure(e, stop))
        {
            if (_clients.TryRemove(address, out var broken))
            {
                await broken.DisposeAsync().ConfigureAwait(false);
            }

            return ServerProbe.Failure(e, timeout);
        }
    }
}
