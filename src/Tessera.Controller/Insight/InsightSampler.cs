using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Election;
using Tessera.Controller.Metrics;
using Tessera.Controller.Proxies;
using Tessera.Controller.Servers;
using Tessera.Controller.Status;
using Tessera.Controller.Topology;
using Tessera.Model.Insight;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;

namespace Tessera.Controller.Insight;

/// <summary>
/// The leader's insight rounds (architecture §12): every <see cref="ControllerOptions.InsightInterval"/> it reads
/// one INFO, a PING and <c>SLOWLOG GET 1</c> from every server and /metrics from every live proxy (all in parallel,
/// each bounded by the probe timeout), keeps the rounds of the last <see cref="Window"/>, and from them computes the
/// health scores, the top lists and the gauges behind the alert rules; then hands the round to the alert evaluator.
/// Standbys do nothing (their API answers from nothing until they lead).
/// </summary>
internal sealed class InsightSampler : IAsyncDisposable
{
    /// <summary>How far back rates and growth look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly NamespaceRepository _namespaces;
    private readonly ServerLogins _logins;
    private readonly StatusService _status;
    private readonly ProxyDirectory _directory;
    private readonly ProxyAdminClient _proxies;
    private readonly LeaderElection _election;
    private readonly ControllerMetrics _metrics;
    private readonly Func<IReadOnlyList<MigrationSample>> _running;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, (int SlotsLeft, long KeysLeft, DateTimeOffset Since)> _progress = new(StringComparer.Ordinal);
    private readonly List<InsightRound> _history = [];
    private readonly object _gate = new();
    private Task? _loop;
    private InsightView _view = InsightView.Empty;

    public InsightSampler(NamespaceRepository namespaces, ServerLogins logins, StatusService status, ProxyDirectory directory, ProxyAdminClient proxies, LeaderElection election, ControllerMetrics metrics, Func<IReadOnlyList<MigrationSample>> running, ControllerOptions options, TimeProvider time, ILogger logger)
    {
        _namespaces = namespaces;
        _logins = logins;
        _status = status;
        _directory = directory;
        _proxies = proxies;
        _election = election;
        _metrics = metrics;
        _running = running;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Called after each round with its view (the alert evaluator); failures are logged, never stop the rounds.</summary>
    public Func<InsightView, CancellationToken, Task>? Evaluate { get; set; }

    /// <summary>Called when this controller stops leading (the alert evaluator forgets its term's state).</summary>
    public Action? LeadershipLost { get; set; }

    /// <summary>The last round's scores, top lists and series; <see cref="InsightView.Empty"/> before the first or while not leading.</summary>
    public InsightView Current => Volatile.Read(ref _view);

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

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(_options.InsightInterval, _time, stop).ConfigureAwait(false);
            if (!_election.IsLeader)
            {
                if (_history.Count > 0)
                {
                    // A new term starts afresh: rates from a previous term's rounds would span the gap.
                    _history.Clear();
                    _progress.Clear();
                    Volatile.Write(ref _view, InsightView.Empty);
                    _metrics.InsightGauges(new Dictionary<string, IReadOnlyList<System.Diagnostics.Metrics.Measurement<double>>>());
                    LeadershipLost?.Invoke();
                }

                continue;
            }

            try
            {
                var round = await RoundAsync(stop).ConfigureAwait(false);
                var view = Publish(round);
                if (Evaluate is { } evaluate)
                {
                    await evaluate(view, stop).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                _logger.LogWarning("An insight round failed ({Reason}); retrying", e.Message);
            }
        }
    }

    /// <summary>Runs one round now (tests, and the loop).</summary>
    internal async Task<InsightRound> RoundAsync(CancellationToken stop)
    {
        var namespaces = (await _namespaces.ListAsync(stop).ConfigureAwait(false)).Select(static n => n.Config).ToList();
        var serverTasks = new List<Task<ServerFigures>>();
        foreach (var ns in namespaces)
        {
            foreach (var group in ns.Groups)
            {
                if (group.Master.Length > 0)
                {
                    serverTasks.Add(ReadServerAsync(ns.Name, group.Id, group.Master, "master", stop));
                }

                serverTasks.AddRange(group.Replicas.Select(r => ReadServerAsync(ns.Name, group.Id, r, "replica", stop)));
            }
        }

        var routesTask = _status.ProxiesAsync(namespaces, stop);
        var records = await _directory.ListAsync(stop).ConfigureAwait(false);
        var countersTasks = records.Select(async r =>
        {
            try
            {
                return (r.Id, Counters: ProxyCounters.Parse(await _proxies.GetMetricsTextAsync(r, _options.ProbeTimeout, stop).ConfigureAwait(false)));
            }
            catch (ProxyCallException)
            {
                return (r.Id, Counters: (ProxyCounters?)null);
            }
        }).ToList();

        var servers = await Task.WhenAll(serverTasks).ConfigureAwait(false);
        var routes = await routesTask.ConfigureAwait(false);
        var counters = await Task.WhenAll(countersTasks).ConfigureAwait(false);
        var now = _time.GetUtcNow();

        return new InsightRound
        {
            Time = now,
            Namespaces = namespaces,
            Servers = servers,
            Proxies = counters.Where(static c => c.Counters is not null).ToDictionary(static c => c.Id, static c => c.Counters!, StringComparer.Ordinal),
            Routes = [.. routes.SelectMany(p => p.Namespaces.Where(static n => n.StoredEpoch is not null).Select(n => (n.Name, p.Proxy.Id, !p.Reachable || !n.Matches)))],
            MigrationStalls = Stalls(now),
            Certificates = Certificates(namespaces),
            Lags = _metrics.CurrentLags,
        };
    }

    private async Task<ServerFigures> ReadServerAsync(string ns, int group, string address, string role, CancellationToken stop)
    {
        try
        {
            var client = await ServerConnection.OpenAsync(address, _logins.For(address), _options.ProbeTimeout, stop).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
                bound.CancelAfter(_options.ProbeTimeout);
                var started = Stopwatch.GetTimestamp();
                var pong = await client.CallAsync("PING").WaitAsync(bound.Token).ConfigureAwait(false);
                var ping = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (pong.IsError)
                {
                    return ServerFigures.Down(ns, group, address, role, $"PING answered -{pong.AsString()}");
                }

                var info = await client.CallAsync("INFO").WaitAsync(bound.Token).ConfigureAwait(false);
                var slowlog = await client.CallAsync("SLOWLOG", "GET", "1").WaitAsync(bound.Token).ConfigureAwait(false);
                long lastId = slowlog.Items is [{ Items: [var id, ..] }, ..] ? id.Integer : -1;
                return info.AsString() is { } text && !info.IsError
                    ? ServerFigures.FromInfo(ns, group, address, role, text, lastId, ping)
                    : ServerFigures.Down(ns, group, address, role, $"INFO answered -{info.AsString()}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            return ServerFigures.Down(ns, group, address, role, e is OperationCanceledException ? $"no answer within {_options.ProbeTimeout.TotalMilliseconds:0} ms" : e.Message);
        }
    }

    /// <summary>How long each namespace's running migrations have not moved (a paused one is not stalled).</summary>
    private Dictionary<string, double> Stalls(DateTimeOffset now)
    {
        var running = _running();
        var stalls = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var gone in _progress.Keys.Where(id => !running.Any(m => m.Id == id)).ToList())
        {
            _progress.Remove(gone);
        }

        foreach (var m in running)
        {
            if (m.Paused || !_progress.TryGetValue(m.Id, out var last) || last.SlotsLeft != m.SlotsLeft || last.KeysLeft != m.KeysLeft)
            {
                _progress[m.Id] = (m.SlotsLeft, m.KeysLeft, now);
                last = _progress[m.Id];
            }

            var stalled = m.Paused ? 0 : (now - last.Since).TotalSeconds;
            stalls[m.Namespace] = Math.Max(stalls.GetValueOrDefault(m.Namespace), stalled);
        }

        return stalls;
    }

    private List<(string, string, DateTimeOffset)> Certificates(IReadOnlyList<NamespaceConfig> namespaces)
    {
        var found = new List<(string, string, DateTimeOffset)>();
        foreach (var ns in namespaces)
        {
            if (_logins.ForNamespace(ns.Name)?.Tls?.Settings is not BackendTls tls)
            {
                continue;
            }

            foreach (var (which, pem) in new[] { ("ca", tls.CaCertificate), ("client", tls.ClientCertificate) })
            {
                if (string.IsNullOrEmpty(pem))
                {
                    continue;
                }

                try
                {
                    using var certificate = X509Certificate2.CreateFromPem(pem);
                    found.Add((ns.Name, which, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // Checked when it was stored; a hand-edited one fails the connections, which say so.
                }
            }
        }

        return found;
    }

    private InsightView Publish(InsightRound round)
    {
        InsightRound? previous;
        List<InsightRound> history;
        lock (_gate)
        {
            previous = _history.Count > 0 ? _history[^1] : null;
            _history.Add(round);
            _history.RemoveAll(r => round.Time - r.Time > Window);
            history = [.. _history];
        }

        var scores = HealthScoring.Score(round, previous, _options.InsightInterval);
        var top = TopLists.Build(round, previous, history);
        var series = AlertSeries.From(round, previous, scores);
        var view = new InsightView(round, scores, top, series);
        Volatile.Write(ref _view, view);
        _metrics.InsightGauges(InsightGauges.From(round, series));
        return view;
    }
}

/// <summary>One round's results: what the API answers and what the alert rules see.</summary>
internal sealed record InsightView(InsightRound? Round, HealthScoreReport Scores, TopReport Top, IReadOnlyList<AlertSeriesValue> Series)
{
    public static InsightView Empty { get; } = new(null, new HealthScoreReport(), new TopReport(), []);
}
