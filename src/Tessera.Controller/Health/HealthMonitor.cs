using Microsoft.Extensions.Logging;
using Tessera.Controller.Election;
using Tessera.Controller.Events;
using Tessera.Controller.Metrics;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Store;

namespace Tessera.Controller.Health;

/// <summary>What the leader acts on after each round: this controller's watches and the votes in the store. It reads the namespaces itself, under its own lock.</summary>
internal sealed record HealthRound(HealthMonitor Monitor, OpinionBoard Board);

/// <summary>
/// Every controller runs one: it watches every server of every namespace (one <see cref="ServerWatch"/> each,
/// plus any extra servers the failover asks for, such as old masters expected back), writes this
/// controller's "down" opinions to the store with its membership lease, and records its vote when a master
/// goes silent. On the leader it then hands each round to <see cref="LeaderRound"/>, which decides failovers.
/// </summary>
internal sealed class HealthMonitor : IAsyncDisposable
{
    private readonly ServerLogins _logins;
    private readonly OpinionBoard _board;
    private readonly EventLog _events;
    private readonly LeaderElection _election;
    private readonly HealthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _controllerId;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _voted = new(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyDictionary<string, ServerWatch> _watches = new Dictionary<string, ServerWatch>(StringComparer.OrdinalIgnoreCase);
    private IReadOnlyList<StoredNamespace> _latest = [];
    private string? _lastProblem;
    private long _tiltUntil;
    private Task? _loop;
    private Task? _clock;

    private readonly ControllerMetrics _metrics;

    public HealthMonitor(ServerLogins logins, OpinionBoard board, EventLog events, LeaderElection election, HealthOptions options, ControllerMetrics metrics, string controllerId, TimeProvider time, ILogger logger)
    {
        _metrics = metrics;
        _logins = logins;
        _board = board;
        _events = events;
        _election = election;
        _options = options;
        _controllerId = controllerId;
        _time = time;
        _logger = logger;
    }

    public HealthOptions Options => _options;

    /// <summary>Called on the leader after each round, under the term's token.</summary>
    public Func<HealthRound, CancellationToken, Task>? LeaderRound { get; set; }

    /// <summary>Servers to watch besides those in the namespaces (old masters awaiting rejoin); set by the failover.</summary>
    public Func<IReadOnlyCollection<string>>? ExtraServers { get; set; }

    /// <summary>The namespaces as of the last round.</summary>
    public IReadOnlyList<StoredNamespace> Namespaces => Volatile.Read(ref _latest);

    /// <summary>The watch of <paramref name="address"/>, or null when it is not watched.</summary>
    public ServerWatch? Watch(string address) => Volatile.Read(ref _watches).GetValueOrDefault(address);

    /// <summary>A passive signal (a proxy saw the server fail): probe it now. It never decides anything alone.</summary>
    public bool Suspect(string address)
    {
        if (Watch(address) is not { } watch)
        {
            return false;
        }

        watch.Suspect();
        return true;
    }

    /// <summary>
    /// True for a moment after this controller found it had stalled: its clock loop woke up far too late (CPU
    /// starvation, a long GC pause, a suspended VM), so its probes may have timed out for its own reasons. Like
    /// Sentinel's TILT mode, but short: the failed probes seen so far are discounted (<see cref="ServerWatch.Discount"/>),
    /// so a server is voted down again only on fresh failures, and meanwhile no new vote is cast and no failover begun.
    /// </summary>
    public bool Tilted => _time.GetTimestamp() < Volatile.Read(ref _tiltUntil);

    public void Start()
    {
        _loop ??= Task.Run(() => RunAsync(_stop.Token));
        _clock ??= Task.Run(() => WatchClockAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var task in new[] { _loop, _clock })
        {
            try
            {
                await (task ?? Task.CompletedTask).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        foreach (var watch in Volatile.Read(ref _watches).Values)
        {
            await watch.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stop).ConfigureAwait(false);
                _lastProblem = null;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is CoordinatorStoreException or OperationRefusedException or HttpRequestException or OperationCanceledException)
            {
                // The store (or a leader change) interrupted this round; the next one starts from the store again.
                if (_lastProblem != e.Message)
                {
                    _logger.LogWarning("Health round of controller {Id} failed: {Problem}", _controllerId, e.Message);
                }

                _lastProblem = e.Message;
            }

            await Task.Delay(_options.SuspectProbeInterval, _time, stop).ConfigureAwait(false);
        }
    }

    private async Task RoundAsync(CancellationToken stop)
    {
        // One listing: the namespaces, and the backend credentials the watches log in with.
        var namespaces = await _logins.RefreshAsync(stop).ConfigureAwait(false);
        Volatile.Write(ref _latest, namespaces);
        await ReconcileWatchesAsync(namespaces).ConfigureAwait(false);

        // This controller's opinions, then its votes on masters, in words.
        var down = new Dictionary<string, ServerOpinion>(StringComparer.OrdinalIgnoreCase);
        foreach (var watch in Volatile.Read(ref _watches).Values)
        {
            if (watch.IsDown)
            {
                var since = _time.GetUtcNow() - watch.Silence;
                down[watch.Address] = new ServerOpinion(_controllerId, watch.Address, since, watch.State.Last.Problem);
            }
        }

        var tilted = Tilted;
        if (tilted)
        {
            // Keep the votes already cast (the lease is still renewed) but cast no new one.
            var kept = _board.Written;
            foreach (var server in down.Keys.Where(s => !kept.Contains(s, StringComparer.OrdinalIgnoreCase)).ToList())
            {
                down.Remove(server);
            }
        }

        await _board.SyncAsync(down, stop).ConfigureAwait(false);
        await RecordVotesAsync(namespaces, down, stop).ConfigureAwait(false);

        if (!tilted && _election.Term is { } term && LeaderRound is { } leader)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(term, stop);
            await leader(new HealthRound(this, _board), both.Token).ConfigureAwait(false);
        }
    }

    private async Task RecordVotesAsync(IReadOnlyList<StoredNamespace> namespaces, Dictionary<string, ServerOpinion> down, CancellationToken stop)
    {
        foreach (var stored in namespaces)
        {
            foreach (var group in stored.Config.Groups)
            {
                if (group.Master.Length == 0)
                {
                    continue;
                }

                if (down.TryGetValue(group.Master, out var opinion))
                {
                    if (_voted.Add(group.Master))
                    {
                        var silence = _time.GetUtcNow() - opinion.SilentSince;
                        await _events.RecordAsync(
                            EventKinds.Vote,
                            $"controller {_controllerId} votes master {group.Master} of group {group.Id} in '{stored.Config.Name}' down: no answer for {silence.TotalSeconds:0.0} s ({opinion.Problem})",
                            stored.Config.Name, group.Id, group.Master, stop).ConfigureAwait(false);
                    }
                }
                else
                {
                    _voted.Remove(group.Master);
                }
            }
        }
    }

    /// <summary>Sleeps 100 ms at a time and measures how late it wakes; far too late means this process stalled.</summary>
    private async Task WatchClockAsync(CancellationToken stop)
    {
        var period = TimeSpan.FromMilliseconds(100);
        var threshold = TimeSpan.FromMilliseconds(Math.Clamp(_options.DownAfter.TotalMilliseconds / 2, 200, 1000));
        while (!stop.IsCancellationRequested)
        {
            var before = _time.GetTimestamp();
            await Task.Delay(period, _time, stop).ConfigureAwait(false);
            var late = _time.GetElapsedTime(before) - period;
            if (late > threshold)
            {
                var pause = _options.SuspectProbeInterval * 2;
                Volatile.Write(ref _tiltUntil, _time.GetTimestamp() + (long)(pause.TotalSeconds * _time.TimestampFrequency));
                foreach (var watch in Volatile.Read(ref _watches).Values)
                {
                    watch.Discount();
                }

                _logger.LogWarning(
                    "Controller {Id} woke {Late:0.00} s late (CPU starvation or a pause?): its probes may have failed for its own reasons, so it discounts them and votes a server down only after fresh failures.",
                    _controllerId, late.TotalSeconds);
            }
        }
    }

    /// <summary>Starts watches for new servers and stops those no longer named anywhere.</summary>
    private async Task ReconcileWatchesAsync(IReadOnlyList<StoredNamespace> namespaces)
    {
        var wanted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var stored in namespaces)
        {
            foreach (var group in stored.Config.Groups)
            {
                if (group.Master.Length > 0)
                {
                    wanted.Add(group.Master);
                }

                wanted.UnionWith(group.Replicas);
            }
        }

        if (ExtraServers?.Invoke() is { } extra)
        {
            wanted.UnionWith(extra);
        }

        var current = Volatile.Read(ref _watches);
        if (wanted.SetEquals(current.Keys))
        {
            return;
        }

        var next = new Dictionary<string, ServerWatch>(StringComparer.OrdinalIgnoreCase);
        foreach (var address in wanted)
        {
            if (!current.TryGetValue(address, out var watch))
            {
                watch = new ServerWatch(address, _logins.For, _options, _metrics, _time);
                watch.Start();
            }

            next[address] = watch;
        }

        Volatile.Write(ref _watches, next);
        foreach (var (address, watch) in current)
        {
            if (!next.ContainsKey(address))
            {
                await watch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
