using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Election;

/// <summary>A term: it begins when the lock is won or resumed, renews the lease, and ends by stepping down.</summary>
internal sealed partial class LeaderElection
{
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
}
