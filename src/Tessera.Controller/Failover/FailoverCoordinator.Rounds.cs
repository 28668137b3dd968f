using Microsoft.Extensions.Logging;
using Tessera.Controller.Events;
using Tessera.Controller.Health;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Topology;

namespace Tessera.Controller.Failover;

internal sealed partial class FailoverCoordinator
{
    /// <summary>Least time between two REPLICAOF sent to one server by the repair paths (rejoin, repoint).</summary>
    private static readonly TimeSpan RepairInterval = TimeSpan.FromSeconds(2);

    // Leader-only memory of what has been said already, so each event is recorded once per episode.
    private readonly HashSet<string> _objectivelyDown = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _noCandidate = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _retryAt = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _repairedAt = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _replicaHealth = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _groupsWithoutReplica = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unhealthySince = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _changedAt = new(StringComparer.Ordinal);
    private IReadOnlyCollection<string> _pending = [];

    /// <summary>Old masters this controller expects back (watched although no group lists them).</summary>
    public IReadOnlyCollection<string> PendingServers => Volatile.Read(ref _pending);

    /// <summary>
    /// The leader's part of a health round: declare masters objectively down on a majority of votes and fail them
    /// over, settle failovers a previous leader left unfinished, turn returning old masters into replicas, point
    /// stray replicas at their master, and say in events when replica health changes.
    /// </summary>
    public async Task RoundAsync(HealthRound round, CancellationToken term)
    {
        await _serial.WaitAsync(term).ConfigureAwait(false);
        try
        {
            // Read again under the lock: the round's own snapshot may predate a promotion that held the lock meanwhile,
            // and every repair below takes its direction (who is master) from the store.
            var namespaces = await _namespaces.ListAsync(term).ConfigureAwait(false);
            var records = await _records.ListAsync(term).ConfigureAwait(false);
            Volatile.Write(ref _pending, records.Where(static r => r.Record.State is FailoverStates.AwaitingRejoin or FailoverStates.Promoting)
                .Select(static r => r.Record.From).ToHashSet(StringComparer.OrdinalIgnoreCase));
            var byGroup = records.ToDictionary(static r => (r.Record.Namespace, r.Record.Group));
            Votes? votes = null;
            foreach (var stored in namespaces)
            {
                foreach (var group in stored.Config.Groups)
                {
                    var record = byGroup.GetValueOrDefault((stored.Config.Name, group.Id));
                    votes = await GroupRoundAsync(stored, group, record, round, votes, term).ConfigureAwait(false);
                }
            }

            foreach (var record in records)
            {
                if (record.Record.State == FailoverStates.AwaitingRejoin)
                {
                    await RejoinAsync(record, round, term).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _serial.Release();
        }
    }

    private async Task<Votes?> GroupRoundAsync(StoredNamespace stored, GroupConfig group, StoredFailover? record, HealthRound round, Votes? votes, CancellationToken term)
    {
        var (ns, master) = (stored.Config.Name, group.Master);
        if (master.Length == 0 || round.Monitor.Watch(master) is not { } watch)
        {
            return votes;
        }

        if (record is { Record.State: FailoverStates.Promoting } unfinished
            && (!string.Equals(master, unfinished.Record.From, StringComparison.OrdinalIgnoreCase) || (!watch.IsDown && watch.State.Last.Ok)))
        {
            await SettleAsync(unfinished, stored, fromAnswers: true, term).ConfigureAwait(false);
            record = null;
        }

        if (!watch.IsDown)
        {
            if (_objectivelyDown.Remove(master))
            {
                await _events.RecordAsync(EventKinds.Up, $"master {master} of group {group.Id} in '{ns}' answers again", ns, group.Id, master, term).ConfigureAwait(false);
            }

            _noCandidate.Remove(master);

            // While the master's last probe failed its replicas lose their link too: that says nothing about them.
            if (watch.State.Last.Ok)
            {
                if (record is not { Record.State: FailoverStates.Promoting })
                {
                    await RepointStrayReplicasAsync(ns, group, round.Monitor, term).ConfigureAwait(false);
                }

                await ReportReplicaHealthAsync(ns, group, round.Monitor, term).ConfigureAwait(false);
            }

            return votes;
        }

        votes ??= await round.Board.ReadVotesAsync(term).ConfigureAwait(false);
        var agree = votes.DownBy(master);
        if (!votes.IsMajority(master))
        {
            return votes;
        }

        var tally = $"{agree.Count} of {votes.Members.Count} controller{(votes.Members.Count == 1 ? "" : "s")} agree{(votes.Members.Count == 1 ? "s" : "")}";
        if (_objectivelyDown.Add(master))
        {
            await _events.RecordAsync(
                EventKinds.ObjectivelyDown,
                $"master {master} of group {group.Id} in '{ns}' is down ({tally}: {string.Join(", ", agree)})"
                + (_health.AutomaticFailover ? "" : "; automatic failover is off: promote a replica with `tessera group promote`"),
                ns, group.Id, master, term).ConfigureAwait(false);
        }

        if (!_health.AutomaticFailover || (_retryAt.TryGetValue(master, out var retryAt) && _time.GetTimestamp() < retryAt))
        {
            return votes;
        }

        FailoverOutcome outcome;
        try
        {
            var request = new FailoverRequest(ns, group.Id, master, tally, null, Manual: false, MasterAlive: false, watch.Silence) { MasterOffset = watch.State.LastAnswer?.Offset };
            outcome = await FailoverSeriallyAsync(request, term).ConfigureAwait(false);
        }
        catch (OperationRefusedException e)
        {
            outcome = new FailoverOutcome(FailoverResult.Failed, e.Message);
            await _events.RecordAsync(EventKinds.FailoverFailed, $"the failover of group {group.Id} in '{ns}' failed: {e.Message}", ns, group.Id, master, term).ConfigureAwait(false);
        }

        switch (outcome.Result)
        {
            case FailoverResult.NoCandidate:
                if (_noCandidate.Add(master))
                {
                    await _events.RecordAsync(
                        EventKinds.NoReplica,
                        $"master {master} of group {group.Id} in '{ns}' is down and no replica can take over ({outcome.Summary}); the group stays down until {master} answers again or a usable replica is added",
                        ns, group.Id, master, term).ConfigureAwait(false);
                }

                RetryAfter(master, TimeSpan.FromSeconds(1));
                break;
            case FailoverResult.Failed:
                RetryAfter(master, _health.DownAfter);
                break;
            default:
                _objectivelyDown.Remove(master);
                _noCandidate.Remove(master);
                _retryAt.Remove(master);
                break;
        }

        return votes;
    }

    /// <summary>
    /// A failover record left "promoting": finished when the group's master is already the chosen replica (the
    /// earlier leader committed and stopped), abandoned when the old master answers again or the group moved on.
    /// </summary>
    private async Task SettleAsync(StoredFailover unfinished, StoredNamespace stored, bool fromAnswers, CancellationToken term)
    {
        var record = unfinished.Record;
        var group = stored.Config.Groups.FirstOrDefault(g => g.Id == record.Group);
        if (group is not null && string.Equals(group.Master, record.To, StringComparison.OrdinalIgnoreCase))
        {
            var done = record with { State = FailoverStates.AwaitingRejoin, CommittedEpoch = stored.Config.Epoch, CommittedAt = _time.GetUtcNow(), ResumedBy = _controllerId };
            if (await _records.TryWriteAsync(done, unfinished.Revision, term).ConfigureAwait(false) is not null)
            {
                AddPending(record.From);
                _metrics.Failover(record.Namespace, done.CommittedAt!.Value - record.StartedAt);
                await _events.RecordAsync(
                    EventKinds.Promoted,
                    $"{record.To} is the master of group {record.Group} in '{record.Namespace}' (epoch {stored.Config.Epoch}): the promotion {record.StartedBy} began was committed before it stopped; {record.From} will be made its replica when it comes back",
                    record.Namespace, record.Group, record.To, term).ConfigureAwait(false);
            }

            return;
        }

        var masterStays = group is not null && string.Equals(group.Master, record.From, StringComparison.OrdinalIgnoreCase);
        if (masterStays && !fromAnswers)
        {
            return;
        }

        if (await _records.TryWriteAsync(record with { State = FailoverStates.Abandoned }, unfinished.Revision, term).ConfigureAwait(false) is not null)
        {
            await _events.RecordAsync(
                EventKinds.FailoverFailed,
                masterStays
                    ? $"the failover of group {record.Group} in '{record.Namespace}' is abandoned: its master {record.From} answers again before {record.To} was committed ({record.To} is pointed back at it)"
                    : $"the failover of group {record.Group} in '{record.Namespace}' is abandoned: the group changed meanwhile (its master is {(group is null ? "gone" : Describe(group.Master))})",
                record.Namespace, record.Group, record.From, term).ConfigureAwait(false);
        }
    }

    /// <summary>An old master that answers again: made a replica of the group's master, then listed as one once in sync.</summary>
    private async Task RejoinAsync(StoredFailover pending, HealthRound round, CancellationToken term)
    {
        var record = pending.Record;
        var current = await _namespaces.GetAsync(record.Namespace, term).ConfigureAwait(false);
        var group = current?.Config.Groups.FirstOrDefault(g => g.Id == record.Group);
        if (current is null || group is null || group.Master.Length == 0
            || string.Equals(group.Master, record.From, StringComparison.OrdinalIgnoreCase)
            || group.Replicas.Contains(record.From, StringComparer.OrdinalIgnoreCase))
        {
            // The group is gone or someone already put the old master back: nothing left to do.
            await _records.TryWriteAsync(record with { State = FailoverStates.Done, RejoinedAt = _time.GetUtcNow() }, pending.Revision, term).ConfigureAwait(false);
            return;
        }

        if (round.Monitor.Watch(record.From)?.State is not { Last: { Ok: true } probe } state || !Fresh(state, $"{record.Namespace}/{record.Group}"))
        {
            return;
        }

        var master = group.Master;
        if (probe.Role != "replica" || !ServerIdentity.SameServer(probe.ReplicaOf, master))
        {
            if (RepairDue(record.From))
            {
                var said = probe.Role == "master" ? "it said it was a master" : $"it followed {probe.ReplicaOf ?? "nothing"}";
                await DemoteAsync(record.From, master, record.Namespace, record.Group, $"when it came back ({said})", term).ConfigureAwait(false);
                round.Monitor.Suspect(record.From);
            }

            return;
        }

        if (!probe.LinkUp || probe.SyncInProgress)
        {
            return;
        }

        var zones = new Dictionary<string, string>(group.Zones, StringComparer.Ordinal);
        if (record.FromZone is { } zone)
        {
            zones[record.From] = zone;
        }

        var rejoined = group with { Replicas = [.. group.Replicas, record.From], Zones = zones };
        var next = current.Config with
        {
            Epoch = current.Config.Epoch + 1,
            Groups = [.. current.Config.Groups.Select(g => g.Id == group.Id ? rejoined : g)],
        };
        try
        {
            await CommitAsync(current, next, "update", term).ConfigureAwait(false);
        }
        catch (ConcurrentChangeException e)
        {
            _logger.LogInformation("Listing {Server} as a replica again waits for the next round: {Problem}.", record.From, e.Message);
            return;
        }

        Changed(record.Namespace, record.Group, record.From);
        await _records.TryWriteAsync(record with { State = FailoverStates.Done, RejoinedAt = _time.GetUtcNow() }, pending.Revision, term).ConfigureAwait(false);
        await _events.RecordAsync(
            EventKinds.Rejoined,
            $"former master {record.From} replicates from {master} and is listed as a replica of group {record.Group} in '{record.Namespace}' again (epoch {next.Epoch})",
            record.Namespace, record.Group, record.From, term).ConfigureAwait(false);
    }

    private void AddPending(string server)
    {
        var pending = new HashSet<string>(PendingServers, StringComparer.OrdinalIgnoreCase) { server };
        Volatile.Write(ref _pending, pending);
    }

    private void RetryAfter(string master, TimeSpan delay) =>
        _retryAt[master] = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
}
