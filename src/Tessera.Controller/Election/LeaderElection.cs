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
/// Split by concern: campaigning here, holding a term in <c>LeaderElection.Term.cs</c>.
/// </remarks>
internal sealed partial class LeaderElection : IAsyncDisposable
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
