using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Election;

/// <summary>
/// Campaigns for the leader lock in the store and keeps it: the lock is an ephemeral record created only
/// if absent, tied to a lease this controller renews every third of its TTL. A standby polls the lock and
/// creates it as soon as the leader's lease is gone, so it takes over within about one TTL after the leader
/// dies (etcd may add up to half a second for its expiry sweep).
/// </summary>
/// <remarks>
/// Safety: the leader steps down (cancels <see cref="Term"/>) when it has not confirmed its lease for two
/// thirds of the TTL, measured from when the last successful renewal was <em>sent</em>, so it stops acting
/// before the lease can expire and another controller can win. Every change the controller makes runs
/// under the term's token, and the namespace documents are written with compare-and-set besides.
/// </remarks>
internal sealed class LeaderElection : IAsyncDisposable
{
    private readonly ICoordinatorStore _store;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;
    private CancellationTokenSource? _term;
    private long _lease;

    /// <summary>
    /// The lease of a term that ended because renewals failed (the store was briefly unreachable): if the lock still
    /// holds it and it can be renewed, this controller resumes leading at once instead of waiting for it to expire.
    /// </summary>
    private long _reclaimable;

    /// <summary>Timestamp at which the last successful renewal (or the grant) was sent; the term is safe until TTL after it.</summary>
    private long _lastConfirmed;
    private ControllerLeader? _knownLeader;
    private bool _abandoned;
    private string? _lastProblem;

    public LeaderElection(ICoordinatorStore store, ControllerLeader self, TimeSpan ttl, TimeSpan pollInterval, TimeProvider time, ILogger logger)
    {
        _store = store;
        Self = self;
        _ttl = ttl;
        _pollInterval = pollInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>What this controller writes into the lock when it wins (its id and API URL). Set before <see cref="Start"/>.</summary>
    public ControllerLeader Self { get; set; }

    /// <summary>Called (in the background) each time this controller becomes leader, with the term's token.</summary>
    public Func<CancellationToken, Task>? Elected { get; set; }

    /// <summary>True while this controller holds the lock and has confirmed it recently enough.</summary>
    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _term is { IsCancellationRequested: false };
            }
        }
    }

    /// <summary>A token cancelled when the current term ends, or null when this controller does not lead.</summary>
    public CancellationToken? Term
    {
        get
        {
            lock (_gate)
            {
                return _term is { IsCancellationRequested: false } term ? term.Token : null;
            }
        }
    }

    /// <summary>The leader as last seen in the store (this controller while it leads), or null when none is known.</summary>
    public ControllerLeader? KnownLeader => Volatile.Read(ref _knownLeader);

    /// <summary>Why the last store call of the election failed, or null once one succeeded since.</summary>
    public string? LastProblem => Volatile.Read(ref _lastProblem);

    /// <summary>Starts campaigning in the background.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Waits until this controller leads; false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitForLeadershipAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (!IsLeader)
        {
            if (_time.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Stops campaigning as if the process had died: no revoke, so the lease runs out on its own. For tests of
    /// takeover without killing the test process.
    /// </summary>
    public async Task AbandonAsync()
    {
        _abandoned = true;
        await StopLoopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops campaigning; a leader revokes its lease so a standby takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task StopLoopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping is the expected way out.
            }
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await TryAcquireAsync(stop).ConfigureAwait(false))
                {
                    await LeadAsync(stop).ConfigureAwait(false);
                    continue;
                }

                await Task.Delay(_pollInterval, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is CoordinatorStoreException or OperationCanceledException or JsonException or HttpRequestException)
            {
                Problem($"the store at {_store.Url} did not answer the election: {e.Message}");
                await Task.Delay(_pollInterval, _time, stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates the lock when it is absent; otherwise remembers who holds it. True when this controller now leads.</summary>
    private async Task<bool> TryAcquireAsync(CancellationToken stop)
    {
        using var bound = Bound(stop);
        var current = await _store.GetAsync(StorePaths.ControllerLeader, bound.Token).ConfigureAwait(false);
        if (_reclaimable is var reclaimable and not 0)
        {
            // Still our lock and our lease? If the lease renews, nobody else can have led meanwhile. A renewal that
            // throws keeps the lease reclaimable for the next round; a definite answer settles it either way.
            if (current is null || current.Lease != reclaimable)
            {
                _reclaimable = 0;
            }
            else
            {
                var renewedAt = _time.GetTimestamp();
                var renewed = await _store.KeepAliveAsync(reclaimable, bound.Token).ConfigureAwait(false);
                _reclaimable = 0;
                if (renewed)
                {
                    BeginTerm(reclaimable, renewedAt, JsonSerializer.Deserialize<ControllerLeader>(current.Value, TesseraJson.Options) ?? Self, "resumed leading");
                    return true;
                }
            }
        }

        if (current is not null)
        {
            Remember(current);
            Volatile.Write(ref _lastProblem, null);
            return false;
        }

        var sentAt = _time.GetTimestamp();
        var lease = await _store.GrantLeaseAsync(_ttl, bound.Token).ConfigureAwait(false);
        var record = Self with { ElectedAt = _time.GetUtcNow() };
        bool created;
        try
        {
            created = await _store.CreateAsync(StorePaths.ControllerLeader, JsonSerializer.Serialize(record, TesseraJson.Options), lease, bound.Token).ConfigureAwait(false);
        }
        catch
        {
            // The create may have happened without us hearing of it: revoking the lease removes the lock too.
            await RevokeQuietlyAsync(lease).ConfigureAwait(false);
            throw;
        }

        if (!created)
        {
            await RevokeQuietlyAsync(lease).ConfigureAwait(false);
            return false;
        }

        BeginTerm(lease, sentAt, record, "is the leader");
        return true;
    }

    private void BeginTerm(long lease, long confirmedAt, ControllerLeader record, string what)
    {
        CancellationToken token;
        lock (_gate)
        {
            _lease = lease;
            _term = new CancellationTokenSource();
            token = _term.Token;
        }

        Volatile.Write(ref _knownLeader, record);
        Volatile.Write(ref _lastProblem, null);
        _lastConfirmed = confirmedAt;
        _logger.LogInformation("Controller {Id} {What} (lease {Lease}, TTL {Ttl} s).", Self.Id, what, lease, _ttl.TotalSeconds);
        if (Elected is { } elected)
        {
            _ = Task.Run(() => elected(token), CancellationToken.None);
        }
    }

    /// <summary>Renews the lease every third of the TTL until renewal fails for too long, the lock is lost, or we stop.</summary>
    private async Task LeadAsync(CancellationToken stop)
    {
        var reason = "stopping";
        var keepLease = false;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var confirmedFor = _time.GetElapsedTime(_lastConfirmed);
                var renewDue = (_ttl / 3) - confirmedFor;
                if (renewDue > TimeSpan.Zero)
                {
                    await Task.Delay(renewDue, _time, stop).ConfigureAwait(false);
                }

                var sentAt = _time.GetTimestamp();
                string? lost;
                try
                {
                    lost = await RenewAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (!stop.IsCancellationRequested && e is CoordinatorStoreException or OperationCanceledException or JsonException or HttpRequestException)
                {
                    Problem($"renewing the leader lease in {_store.Url} failed: {e.Message}");
                    if (_time.GetElapsedTime(_lastConfirmed) >= _ttl * 2 / 3)
                    {
                        reason = "it could not renew its lease for two thirds of the TTL";
                        keepLease = true;
                        return;
                    }

                    await Task.Delay(_ttl / 10, _time, stop).ConfigureAwait(false);
                    continue;
                }

                if (lost is not null)
                {
                    reason = lost;
                    return;
                }

                _lastConfirmed = sentAt;
                Volatile.Write(ref _lastProblem, null);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await StepDownAsync(reason, keepLease).ConfigureAwait(false);
        }
    }

    /// <summary>Null when the lease is renewed and the lock is still ours; otherwise why leadership is lost.</summary>
    private async Task<string?> RenewAsync(CancellationToken stop)
    {
        using var bound = Bound(stop);
        if (!await _store.KeepAliveAsync(_lease, bound.Token).ConfigureAwait(false))
        {
            return "its lease expired";
        }

        var current = await _store.GetAsync(StorePaths.ControllerLeader, bound.Token).ConfigureAwait(false);
        if (current is null || current.Lease != _lease)
        {
            if (current is not null)
            {
                Remember(current);
            }

            return "the leader lock no longer holds its lease";
        }

        return null;
    }

    /// <summary>
    /// Ends the term. The lease is revoked so a standby takes over at once, unless <paramref name="keepLease"/>
    /// (the store did not answer renewals): then it is kept to be reclaimed if the store comes back in time.
    /// </summary>
    private async Task StepDownAsync(string reason, bool keepLease)
    {
        CancellationTokenSource? term;
        long lease;
        lock (_gate)
        {
            term = _term;
            lease = _lease;
            _term = null;
            _lease = 0;
        }

        if (term is null)
        {
            return;
        }

        // Not disposed: operations may still hold the token, and a source without timers needs no disposal.
        await term.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _knownLeader)?.Id == Self.Id)
        {
            Volatile.Write(ref _knownLeader, null);
        }

        if (_abandoned)
        {
            return;
        }

        _logger.LogWarning("Controller {Id} stepped down: {Reason}.", Self.Id, reason);
        if (keepLease)
        {
            _reclaimable = lease;
            return;
        }

        // Let a standby take over at once instead of after the TTL.
        await RevokeQuietlyAsync(lease).ConfigureAwait(false);
    }

    private async Task RevokeQuietlyAsync(long lease)
    {
        using var bound = new CancellationTokenSource(_ttl / 2);
        try
        {
            await _store.RevokeLeaseAsync(lease, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CoordinatorStoreException or OperationCanceledException or HttpRequestException)
        {
            // It expires by itself within the TTL.
            _logger.LogDebug("Revoking lease {Lease} failed ({Problem}); it expires by itself.", lease, e.Message);
        }
    }

    private void Remember(StoreRecord record)
    {
        try
        {
            Volatile.Write(ref _knownLeader, JsonSerializer.Deserialize<ControllerLeader>(record.Value, TesseraJson.Options));
        }
        catch (JsonException e)
        {
            Problem($"the leader lock {record.Key} holds something unreadable ({e.Message})");
        }
    }

    private void Problem(string text)
    {
        if (Volatile.Read(ref _lastProblem) != text)
        {
            _logger.LogWarning("Controller {Id}: {Problem}.", Self.Id, text);
        }

        Volatile.Write(ref _lastProblem, text);
    }

    /// <summary>Each store call of the election is bounded by a third of the TTL, so a hung store cannot delay a step-down.</summary>
    private CancellationTokenSource Bound(CancellationToken stop)
    {
        var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
        bound.CancelAfter(_ttl / 3);
        return bound;
    }
}
