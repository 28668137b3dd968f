using System.Globalization;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Events;
using Tessera.Controller.Operations;
using Tessera.Controller.Pushes;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Controller.Failover;

internal sealed partial class FailoverCoordinator
{
    /// <summary>Longest wait for a replica to catch up with a live master during a manual switchover.</summary>
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(5);

    /// <summary>One attempt: record, lock, promote, repoint, commit. Throws <see cref="ConcurrentChangeException"/> to be retried.</summary>
    private async Task<FailoverOutcome> PromoteAsync(FailoverRequest request, CancellationToken term)
    {
        var (ns, groupId, failed) = (request.Namespace, request.Group, request.FailedMaster);
        var current = await _namespaces.RequireAsync(ns, term).ConfigureAwait(false);
        var group = current.Config.Groups.FirstOrDefault(g => g.Id == groupId)
            ?? throw OperationRefusedException.NotFound($"namespace '{ns}' has no group {groupId}");
        var existing = await _records.GetAsync(ns, groupId, term).ConfigureAwait(false);
        if (!string.Equals(group.Master, failed, StringComparison.OrdinalIgnoreCase))
        {
            if (existing is { Record.State: FailoverStates.Promoting })
            {
                await SettleAsync(existing, current, fromAnswers: false, term).ConfigureAwait(false);
            }

            return new FailoverOutcome(FailoverResult.NotNeeded, $"group {groupId} of '{ns}' is served by {Describe(group.Master)} now, not {failed}; nothing to do");
        }

        var chosen = await ChooseAsync(request, group, existing, term).ConfigureAwait(false);
        if (chosen.Candidate is null)
        {
            return new FailoverOutcome(FailoverResult.NoCandidate, chosen.Why);
        }

        var candidate = chosen.Candidate;
        var behind = request.MasterAlive || request.MasterOffset is not { } lastKnown || chosen.Offset is not { } offset
            ? ""
            : lastKnown > offset
                ? string.Create(CultureInfo.InvariantCulture, $"; it is {lastKnown - offset} bytes behind the master's last known offset {lastKnown}: writes acknowledged in that gap are lost")
                : string.Create(CultureInfo.InvariantCulture, $"; it has everything up to the master's last known offset {lastKnown}");
        var record = new FailoverRecord
        {
            Namespace = ns,
            Group = groupId,
            From = failed,
            To = candidate,
            State = FailoverStates.Promoting,
            Reason = request.Reason,
            Manual = request.Manual,
            StartedBy = chosen.Resumed ? existing!.Record.StartedBy : _controllerId,
            StartedAt = chosen.Resumed ? existing!.Record.StartedAt : _time.GetUtcNow(),
            ResumedBy = chosen.Resumed ? _controllerId : null,
            FromZone = group.Zones.GetValueOrDefault(failed),
        };
        var stored = await _records.TryWriteAsync(record, existing?.Revision ?? 0, term).ConfigureAwait(false)
            ?? throw new ConcurrentChangeException("another controller wrote this group's failover record at the same time");
        await _events.RecordAsync(
            EventKinds.Failover,
            chosen.Resumed
                ? $"controller {_controllerId} resumes the failover of group {groupId} in '{ns}' that {record.StartedBy} began at {record.StartedAt:HH:mm:ss.fff}: promoting {candidate} ({chosen.Why})"
                : request.Manual
                    ? $"manual promotion of group {groupId} in '{ns}': promoting {candidate} ({chosen.Why}); the master {failed} {(request.MasterAlive ? "answers, so its writes are paused until the replica has caught up" : "does not answer")}"
                    : $"master {failed} of group {groupId} in '{ns}' is down ({request.Reason}); promoting {candidate} ({chosen.Why}){behind}",
            ns, groupId, candidate, term).ConfigureAwait(false);
        await StepAsync(FailoverStep.Recorded, record, term).ConfigureAwait(false);

        // Lock: proxies hold the group's requests (and drain those in flight) instead of failing them.
        var afterLock = await LockAsync(current, groupId, term).ConfigureAwait(false);
        var stragglers = afterLock.Pushes.SelectMany(static p => p.Proxies).Where(static p => p.Outcome == PushOutcome.Unacknowledged).ToList();
        if (request.MasterAlive && stragglers.Count > 0)
        {
            await GiveUpAsync(current, afterLock.Stored, stored, term).ConfigureAwait(false);
            throw OperationRefusedException.Unavailable(
                $"proxy {string.Join(", ", stragglers.Select(static p => $"{p.Id} ({p.Detail})"))} did not acknowledge locking group {groupId}'s slots, so the switchover was rolled back (the master stays {failed}); check it with `tessera proxies` and retry");
        }

        await StepAsync(FailoverStep.Locked, record, term).ConfigureAwait(false);

        if (request.MasterAlive && await DrainMasterAsync(failed, candidate, term).ConfigureAwait(false) is { } lagging)
        {
            await GiveUpAsync(current, afterLock.Stored, stored, term).ConfigureAwait(false);
            throw OperationRefusedException.Conflict($"{candidate} did not catch up with the master {failed} ({lagging}), so nothing was changed; check its replication with `tessera status` and retry");
        }

        if (await ServerCommands.TryDetachAsync(candidate, _logins.For(candidate), _options.ServerTimeout, term).ConfigureAwait(false) is { } problem)
        {
            await GiveUpAsync(current, afterLock.Stored, stored, term).ConfigureAwait(false);
            await _events.RecordAsync(EventKinds.FailoverFailed, $"promoting {candidate} in group {groupId} of '{ns}' failed: REPLICAOF NO ONE: {problem}; the group's slots are unlocked and the failover is retried", ns, groupId, candidate, term).ConfigureAwait(false);
            return new FailoverOutcome(FailoverResult.Failed, $"REPLICAOF NO ONE on {candidate} failed ({problem})");
        }

        await StepAsync(FailoverStep.Promoted, record, term).ConfigureAwait(false);

        // The other replicas follow the new master; one that cannot is left listed and repointed later.
        var warnings = new List<string>();
        var others = group.Replicas.Where(r => !string.Equals(r, candidate, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var replica in others)
        {
            try
            {
                await ServerCommands.ReplicaOfAsync(replica, _logins.For(replica), candidate, _options.ServerTimeout, term).ConfigureAwait(false);
            }
            catch (OperationRefusedException e)
            {
                warnings.Add($"replica {replica} could not be pointed at {candidate} ({e.Message}); the controller retries once it answers");
            }
        }

        var zones = new Dictionary<string, string>(group.Zones, StringComparer.Ordinal);
        zones.Remove(failed);
        var promoted = group with { Master = candidate, Replicas = others, Zones = zones };
        var next = afterLock.Stored.Config with
        {
            Epoch = afterLock.Stored.Config.Epoch + 1,
            Groups = [.. afterLock.Stored.Config.Groups.Select(g => g.Id == groupId ? promoted : g)],
            Slots = Unlock(afterLock.Stored.Config.Slots, groupId),
        };
        var switched = await CommitAsync(afterLock.Stored, next, "switch", term).ConfigureAwait(false);
        var committed = record with { State = FailoverStates.AwaitingRejoin, CommittedEpoch = next.Epoch, CommittedAt = _time.GetUtcNow() };
        if (await _records.TryWriteAsync(committed, stored.Revision, term).ConfigureAwait(false) is null)
        {
            _logger.LogWarning("The failover record of group {Group} in {Namespace} changed while the promotion was committed; the next round settles it.", groupId, ns);
        }

        AddPending(failed);
        Changed(ns, groupId, [candidate, failed, .. others]);
        var pushes = switched.Pushes.Concat(afterLock.Pushes).SelectMany(static p => p.Proxies).ToList();
        var acked = switched.Pushes.SelectMany(static p => p.Proxies).Count(static p => p.Outcome == PushOutcome.Acked);
        var proxies = switched.Pushes.Sum(static p => p.Proxies.Count);
        var summary = $"{candidate} is now the master of group {groupId} in '{ns}' (epoch {next.Epoch}), replacing {failed}; proxies switched: {acked} of {proxies} acked"
            + (request.MasterAlive ? $"; {failed} becomes its replica" : $"; {failed} will be made its replica when it comes back");
        _metrics.Failover(ns, committed.CommittedAt!.Value - committed.StartedAt);
        await _events.RecordAsync(EventKinds.Promoted, summary, ns, groupId, candidate, term).ConfigureAwait(false);
        await StepAsync(FailoverStep.Committed, committed, term).ConfigureAwait(false);

        if (request.MasterAlive)
        {
            await DemoteAsync(failed, candidate, ns, groupId, "after the switchover", term).ConfigureAwait(false);
        }

        return new FailoverOutcome(FailoverResult.Promoted, summary, new CommittedChange(switched.Stored, [.. afterLock.Pushes, .. switched.Pushes]), warnings);
    }

    private sealed record Choice(string? Candidate, string Why, bool Resumed, long? Offset = null);

    /// <summary>The replica to promote: the one a dying leader already chose, the one asked for, or the best one.</summary>
    private async Task<Choice> ChooseAsync(FailoverRequest request, GroupConfig group, StoredFailover? existing, CancellationToken term)
    {
        var timeout = _health.EffectiveProbeTimeout;
        if (existing?.Record is { State: FailoverStates.Promoting } earlier
            && string.Equals(earlier.From, request.FailedMaster, StringComparison.OrdinalIgnoreCase)
            && group.Replicas.Contains(earlier.To, StringComparer.OrdinalIgnoreCase)
            && (request.Target is null || string.Equals(request.Target, earlier.To, StringComparison.OrdinalIgnoreCase)))
        {
            // Finish what the earlier leader began; choosing again could promote a second replica.
            var probe = await ServerProbe.OnceAsync(earlier.To, _logins.For(earlier.To), timeout, term).ConfigureAwait(false);
            if (probe.Ok)
            {
                return new Choice(earlier.To, $"{Facts(probe)}; chosen by {earlier.StartedBy}", Resumed: true, probe.Offset);
            }

            _logger.LogWarning("The replica {Replica} chosen by {Controller} for group {Group} does not answer ({Problem}); choosing again.", earlier.To, earlier.StartedBy, group.Id, probe.Problem);
        }

        if (request.Target is { } target)
        {
            if (!group.Replicas.Contains(target, StringComparer.OrdinalIgnoreCase))
            {
                throw OperationRefusedException.Conflict($"{target} is not a replica of group {group.Id} (its replicas: {(group.Replicas.Count == 0 ? "none" : string.Join(", ", group.Replicas))}); promote one of them");
            }

            var probe = await ServerProbe.OnceAsync(target, _logins.For(target), timeout, term).ConfigureAwait(false);
            if (!probe.Ok)
            {
                throw OperationRefusedException.Conflict($"{target} does not answer ({probe.Problem}), so it cannot become the master; start it or promote another replica");
            }

            if (probe.Role != "replica" || probe.SyncInProgress)
            {
                throw OperationRefusedException.Conflict(probe.Role != "replica"
                    ? $"{target} says it is a master, not a replica of {group.Master}; it is repointed at its master automatically, retry in a few seconds"
                    : $"{target} is still loading its first full copy from {group.Master}; retry once it is in sync");
            }

            return new Choice(target, Facts(probe), Resumed: false, probe.Offset);
        }

        var probes = await Task.WhenAll(group.Replicas.Select(r => ServerProbe.OnceAsync(r, _logins.For(r), timeout, term))).ConfigureAwait(false);
        var maxLinkDown = _health.DownAfter * 10 + request.MasterSilence;
        var choice = ReplicaSelection.Choose(group.Replicas.Select((r, i) => new ReplicaCandidate(r, probes[i])), request.FailedMaster, maxLinkDown);
        if (choice.Best is not { } best)
        {
            return new Choice(null, choice.DescribeExcluded(), Resumed: false);
        }

        var passedOver = choice.Ranked.Skip(1).Select(static c => $"{c.Address} ranks lower ({Facts(c.Probe!)})")
            .Concat(choice.Excluded.Select(static e => $"{e.Address} {e.Reason}")).ToList();
        return new Choice(best.Address, Facts(best.Probe!) + (passedOver.Count > 0 ? "; passed over: " + string.Join("; ", passedOver) : ""), Resumed: false, best.Probe!.Offset);
    }

    /// <summary>Locks every slot the group serves or receives; returns the namespace after the lock (unchanged when there is nothing to lock).</summary>
    private async Task<CommittedChange> LockAsync(StoredNamespace current, int groupId, CancellationToken term)
    {
        var slots = SlotTable.Expand(current.Config.Slots);
        var any = false;
        for (var slot = 0; slot < slots.Length; slot++)
        {
            if (slots[slot] is { } owner && (owner.Group == groupId || owner.Target == groupId) && owner.State != SlotState.Locked)
            {
                slots[slot] = owner with { State = SlotState.Locked };
                any = true;
            }
        }

        return any
            ? await CommitAsync(current, current.Config with { Epoch = current.Config.Epoch + 1, Slots = SlotTable.Compress(slots) }, "lock", term).ConfigureAwait(false)
            : new CommittedChange(current, []);
    }

    /// <summary>The group's locked slots back to online (or migrating, when they have a target), as <see cref="TopologyOperations.RecoverAsync"/> does.</summary>
    private static IReadOnlyList<SlotRangeConfig> Unlock(IReadOnlyList<SlotRangeConfig> ranges, int groupId)
    {
        var slots = SlotTable.Expand(ranges);
        for (var slot = 0; slot < slots.Length; slot++)
        {
            if (slots[slot] is { State: SlotState.Locked } owner && (owner.Group == groupId || owner.Target == groupId))
            {
                slots[slot] = owner with { State = owner.Target is null ? SlotState.Online : SlotState.Migrating };
            }
        }

        return SlotTable.Compress(slots);
    }

    /// <summary>Unlocks what was locked and marks the record abandoned: the master stays as it was.</summary>
    private async Task GiveUpAsync(StoredNamespace before, StoredNamespace afterLock, StoredFailover record, CancellationToken term)
    {
        if (afterLock.Revision != before.Revision)
        {
            var groupId = record.Record.Group;
            var next = afterLock.Config with { Epoch = afterLock.Config.Epoch + 1, Slots = Unlock(afterLock.Config.Slots, groupId) };
            await CommitAsync(afterLock, next, "rollback", term).ConfigureAwait(false);
        }

        await _records.TryWriteAsync(record.Record with { State = FailoverStates.Abandoned }, record.Revision, term).ConfigureAwait(false);
    }

    /// <summary>One phase through <see cref="SlotSwitch.CommitAsync"/>; a refusal because the namespace moved on becomes <see cref="ConcurrentChangeException"/>.</summary>
    private async Task<CommittedChange> CommitAsync(StoredNamespace current, NamespaceConfig next, string phase, CancellationToken term)
    {
        try
        {
            return await _switch.CommitAsync(current, next, phase, term).ConfigureAwait(false);
        }
        catch (OperationRefusedException e) when (e.StatusCode == 409)
        {
            var now = await _namespaces.GetAsync(current.Config.Name, term).ConfigureAwait(false);
            if (now is null || now.Revision != current.Revision)
            {
                throw new ConcurrentChangeException($"namespace '{current.Config.Name}' changed in the store during the {phase} phase");
            }

            throw;
        }
    }

    /// <summary>
    /// For a switchover from a live master: stop its writes (the proxies already hold theirs; <c>CLIENT PAUSE WRITE</c>
    /// stops anyone else), then wait until the replica has everything. Null when caught up, else how far behind.
    /// </summary>
    private async Task<string?> DrainMasterAsync(string master, string replica, CancellationToken term)
    {
        var pauseMs = (long)(CatchUpTimeout + _options.ServerTimeout * 3).TotalMilliseconds;
        if (await ServerCommands.TryCallAsync(master, _logins.For(master), _options.ServerTimeout, term, "CLIENT", "PAUSE", pauseMs.ToString(CultureInfo.InvariantCulture), "WRITE").ConfigureAwait(false) is { } problem)
        {
            return $"CLIENT PAUSE WRITE on {master} failed: {problem}";
        }

        var masterProbe = await ServerProbe.OnceAsync(master, _logins.For(master), _options.ServerTimeout, term).ConfigureAwait(false);
        if (!masterProbe.Ok)
        {
            return $"the master stopped answering ({masterProbe.Problem})";
        }

        var started = _time.GetTimestamp();
        long replicaOffset = 0;
        while (_time.GetElapsedTime(started) < CatchUpTimeout)
        {
            var probe = await ServerProbe.OnceAsync(replica, _logins.For(replica), _options.ServerTimeout, term).ConfigureAwait(false);
            replicaOffset = probe.Ok ? probe.Offset : replicaOffset;
            if (probe.Ok && probe.Offset >= masterProbe.Offset)
            {
                return null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, term).ConfigureAwait(false);
        }

        await ServerCommands.TryCallAsync(master, _logins.For(master), _options.ServerTimeout, term, "CLIENT", "UNPAUSE").ConfigureAwait(false);
        return string.Create(CultureInfo.InvariantCulture, $"{masterProbe.Offset - replicaOffset} bytes behind after {CatchUpTimeout.TotalSeconds:0} s");
    }

    /// <summary>Makes a former master a replica of the group's master (its data is replaced by the master's).</summary>
    private async Task DemoteAsync(string server, string master, string ns, int groupId, string when, CancellationToken term)
    {
        try
        {
            await ServerCommands.ReplicaOfAsync(server, _logins.For(server), master, _options.ServerTimeout, term).ConfigureAwait(false);

            // The health probes of this server are a moment old: the rejoin path must not demote it again on their word.
            _repairedAt[server] = _time.GetTimestamp();
            ProbeNow?.Invoke(server);
            await ServerCommands.TryCallAsync(server, _logins.For(server), _options.ServerTimeout, term, "CLIENT", "UNPAUSE").ConfigureAwait(false);
            await _events.RecordAsync(EventKinds.Demoted, $"former master {server} of group {groupId} in '{ns}' was made a replica of {master} {when}; it is listed as a replica once in sync", ns, groupId, server, term).ConfigureAwait(false);
        }
        catch (OperationRefusedException e)
        {
            _logger.LogWarning("Demoting {Server} to a replica of {Master} failed ({Problem}); retrying on the next round.", server, master, e.Message);
        }
    }

    private static string Facts(ProbeResult probe) =>
        string.Create(CultureInfo.InvariantCulture, $"offset {probe.Offset}, priority {probe.Priority ?? ReplicaSelection.DefaultPriority}");

    private static string Describe(string master) => master.Length == 0 ? "no master" : master;
}
