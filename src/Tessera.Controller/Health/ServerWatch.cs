using Tessera.Controller.Metrics;
using Tessera.Controller.Servers;
using Tessera.Model.Tenants;
using Tessera.Resp.Client;

namespace Tessera.Controller.Health;

/// <summary>What one controller knows about one server right now. Immutable; swapped whole after each probe.</summary>
/// <param name="LastOkAt">Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last good answer, or of when watching began.</param>
/// <param name="LastAnswer">The last good answer, or null when it never answered.</param>
/// <param name="Last">The last probe, good or not.</param>
/// <param name="Answered">True once it answered at least once since watching began.</param>
/// <param name="FailuresSinceOk">Probes that failed since the last good answer (evidence, as opposed to mere silence).</param>
/// <param name="ProbedAt">Timestamp at which <paramref name="Last"/> was sent: what it says is true as of then.</param>
internal sealed record ServerState(long LastOkAt, ProbeResult? LastAnswer, ProbeResult Last, bool Answered, int FailuresSinceOk, long ProbedAt);

/// <summary>
/// Probes one redis-server in a loop of its own: <c>PING</c> and <c>INFO server replication</c> pipelined on one
/// kept-open connection, every <see cref="HealthOptions.ProbeInterval"/> while it answers and every
/// <see cref="HealthOptions.SuspectProbeInterval"/> while it does not. A loop per server means a server that
/// hangs (SIGSTOP, a full network buffer) costs its own probe timeout and delays nobody else's.
/// </summary>
internal sealed class ServerWatch : IAsyncDisposable
{
    private readonly HealthOptions _options;
    private readonly Func<string, ServerLogin?> _login;

    /// <summary>The login <see cref="_client"/> was opened with (its TLS is compared by reference: one parsed instance per setting).</summary>
    private ServerLogin? _clientLogin;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _wake = NewWake();
    private RespClient? _client;
    private ServerState _state;
    private Task? _loop;
    private int _discounted;

    /// <param name="address">"host:port".</param>
    /// <param name="login">The credentials a server's (re)connection logs in with (<see cref="ServerLogins.For"/>), looked up each time: a change applies from the next connection.</param>
    /// <param name="options">Probe intervals and timeouts.</param>
    /// <param name="time">Clock.</param>
    private readonly ControllerMetrics _metrics;

    public ServerWatch(string address, Func<string, ServerLogin?> login, HealthOptions options, ControllerMetrics metrics, TimeProvider time)
    {
        _metrics = metrics;
        Address = address;
        _login = login;
        _options = options;
        _time = time;
        _state = new ServerState(time.GetTimestamp(), null, ProbeResult.Failed("not probed yet"), Answered: false, FailuresSinceOk: 0, ProbedAt: 0);
    }

    /// <summary>"host:port".</summary>
    public string Address { get; }

    /// <summary>The latest state; read without locks (a reference swap).</summary>
    public ServerState State => Volatile.Read(ref _state);

    /// <summary>Time since the last good answer (or since watching began).</summary>
    public TimeSpan Silence => _time.GetElapsedTime(State.LastOkAt);

    /// <summary>
    /// Subjectively down: no good answer for <see cref="HealthOptions.DownAfter"/>, and probes that actually failed
    /// (at least two, the last one included). Silence alone is not enough: when this process stalls (CPU starvation,
    /// a long GC pause) its probes do not run, and that says nothing about the server.
    /// </summary>
    public bool IsDown => State is { Last.Ok: false, FailuresSinceOk: >= 2 } && Silence >= _options.DownAfter;

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>
    /// Forgets the failed probes seen so far (this process stalled, so they may be its own fault): the server is down
    /// again only after fresh failures.
    /// </summary>
    public void Discount()
    {
        // The flag covers a probe completing concurrently (the loop writes without a compare-and-set).
        Volatile.Write(ref _discounted, 1);
        var state = State;
        Interlocked.CompareExchange(ref _state, state with { FailuresSinceOk = 0 }, state);
    }

    /// <summary>Probes again at once (a passive report from a proxy, or the failover wants fresh facts).</summary>
    public void Suspect() => Volatile.Read(ref _wake).TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _client?.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Takes in one probe's result, sent at <paramref name="sentAt"/>: a good answer resets the silence and the failure
    /// count, a failure adds to the count (from zero again after a <see cref="Discount"/>). Only the probe loop calls it
    /// (tests too, to set a state without a server). A <see cref="ProbeResult.Busy"/> answer is a good one.
    /// </summary>
    internal void Record(ProbeResult result, long sentAt)
    {
        var previous = State;
        var failures = Interlocked.Exchange(ref _discounted, 0) == 1 ? 0 : previous.FailuresSinceOk;
        if (result.Busy && previous.LastAnswer is { } known)
        {
            // A busy server says nothing of its role or offset: what it said last still holds (a script changes neither).
            result = known with { Busy = true, Problem = result.Problem };
        }

        Volatile.Write(ref _state, result.Ok
            ? new ServerState(_time.GetTimestamp(), result, result, Answered: true, FailuresSinceOk: 0, sentAt)
            : previous with { Last = result, FailuresSinceOk = failures + 1, ProbedAt = sentAt });
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var sentAt = _time.GetTimestamp();
            var result = await ProbeAsync(stop).ConfigureAwait(false);
            _metrics.Probe(result.Ok, _time.GetElapsedTime(sentAt));
            Record(result, sentAt);

            var wake = Volatile.Read(ref _wake);
            var delay = result.Ok ? _options.ProbeInterval : _options.SuspectProbeInterval;
            await Task.WhenAny(wake.Task, Task.Delay(delay, _time, stop)).ConfigureAwait(false);
            if (wake.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _wake, NewWake(), wake);
            }
        }
    }

    /// <summary>One probe, never throwing for what the server did; a failed connection is dropped and reopened next time.</summary>
    private async Task<ProbeResult> ProbeAsync(CancellationToken stop)
    {
        var timeout = _options.EffectiveProbeTimeout;
        var login = _login(Address);
        if (_client is not null && login?.Tls != _clientLogin?.Tls)
        {
            // The namespace's TLS changed (set, rotated, removed): the kept connection goes, the next one uses the new settings.
            _client.Dispose();
            _client = null;
        }

        try
        {
            if (_client is null)
            {
                _clientLogin = login;
                _client = await ServerConnection.OpenAsync(Address, login, timeout, stop).ConfigureAwait(false);
            }

            _client.Timeout = timeout;
            return await ServerProbe.RunAsync(_client).ConfigureAwait(false);
        }
        catch (Exception e) when (ServerProbe.IsConnectionFailure(e, stop))
        {
            _client?.Dispose();
            _client = null;
            return ServerProbe.Failure(e, timeout);
        }
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
