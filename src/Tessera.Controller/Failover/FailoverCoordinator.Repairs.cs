using Microsoft.Extensions.Logging;
using Tessera.Controller.Events;
using Tessera.Controller.Health;
using Tessera.Controller.Servers;
using Tessera.Model.Topology;

namespace Tessera.Controller.Failover;

internal sealed partial class FailoverCoordinator
{
    /// <summary>
    /// The store is the truth about roles: a listed master that says it is a replica is made a master again (proxies
    /// send it writes, which it would refuse), and replicas that follow another master (or none) are pointed at it.
    /// </summary>
    private async Task RepointStrayReplicasAsync(string ns, GroupConfig group, HealthMonitor monitor, CancellationToken term)
    {
        var groupKey = $"{ns}/{group.Id}";
        if (monitor.Watch(group.Master)?.State is not { Last: { Ok: true } masterProbe } masterState || !Fresh(masterState, groupKey))
        {
            return;
        }

        if (masterProbe.Role != "master")
        {
            if (RepairDue(group.Master))
            {
                if (await ServerCommands.TryDetachAsync(group.Master, _logins.For(group.Master), _options.ServerTimeout, term).ConfigureAwait(false) is { } problem)
                {
                    _logger.LogWarning("Making {Master} a master again failed: {Problem}", group.Master, problem);
                }
                else
                {
                    monitor.Suspect(group.Master);
                    await _events.RecordAsync(
                        EventKinds.Repointed,
                        $"master {group.Master} of group {group.Id} in '{ns}' said it was a replica of {masterProbe.ReplicaOf ?? "nothing"}, so it refused writes; made it a master again (REPLICAOF NO ONE)",
                        ns, group.Id, group.Master, term).ConfigureAwait(false);
                }
            }

            return;
        }

        foreach (var replica in group.Replicas)
        {
            if (monitor.Watch(replica)?.State is not { Last: { Ok: true } probe } state
                || !Fresh(state, groupKey)
                || (probe.Role == "replica" && ServerIdentity.SameServer(probe.ReplicaOf, group.Master))
                || !RepairDue(replica))
            {
                continue;
            }

            try
            {
                await ServerCommands.ReplicaOfAsync(replica, _logins.For(replica), group.Master, _options.ServerTimeout, term).ConfigureAwait(false);
                monitor.Suspect(replica);
                var was = probe.Role == "master" ? "was a master" : $"followed {probe.ReplicaOf ?? "nothing"}";
                await _events.RecordAsync(EventKinds.Repointed, $"replica {replica} of group {group.Id} in '{ns}' {was}; pointed it at the group's master {group.Master}", ns, group.Id, replica, term).ConfigureAwait(false);
            }
            catch (OperationRefusedException e)
            {
                _logger.LogWarning("Pointing replica {Replica} at {Master} failed: {Problem}", replica, group.Master, e.Message);
            }
        }
    }

    /// <summary>
    /// Events when a replica stops (or starts again) being fit for reads, and when a group has no replica that could
    /// take over. A state must last <see cref="AlarmGrace"/> before it is reported, so a replica's first sync or a
    /// blip does not raise an alarm (the health report and status show it at once).
    /// </summary>
    private async Task ReportReplicaHealthAsync(string ns, GroupConfig group, HealthMonitor monitor, CancellationToken term)
    {
        var masterWatch = monitor.Watch(group.Master);
        var usable = 0;
        foreach (var replica in group.Replicas)
        {
            var watch = monitor.Watch(replica);
            var verdict = ServerVerdict.Judge("replica", watch, group.Master, masterWatch, _health);
            if (verdict.Health == ServerHealthStates.Unknown)
            {
                usable++;
                continue;
            }

            // Usable means a failover could promote it now, by the very rules the failover applies.
            usable += watch?.State.Last is { Ok: true } probe && ReplicaSelection.Exclude(new ReplicaCandidate(replica, probe), group.Master, _health.DownAfter * 10) is null ? 1 : 0;
            var reported = _replicaHealth.GetValueOrDefault(replica);
            if (verdict.Health == ServerHealthStates.Up)
            {
                _unhealthySince.Remove(replica);
                if (reported is not null)
                {
                    _replicaHealth.Remove(replica);
                    await _events.RecordAsync(EventKinds.Replica, $"replica {replica} of group {group.Id} in '{ns}' is healthy again and may serve reads", ns, group.Id, replica, term).ConfigureAwait(false);
                }

                continue;
            }

            if (verdict.Health == ServerHealthStates.Suspect || !Lasted(_unhealthySince, replica) || reported == verdict.Health)
            {
                continue;
            }

            _replicaHealth[replica] = verdict.Health;
            await _events.RecordAsync(EventKinds.Replica, $"replica {replica} of group {group.Id} in '{ns}' is {verdict.Health}: {verdict.Detail}; it is kept out of reads", ns, group.Id, replica, term).ConfigureAwait(false);
        }

        var key = $"{ns}/{group.Id}";
        if (usable > 0)
        {
            _groupsWithoutReplica.Remove(key);
            _unhealthySince.Remove(key);
        }
        else if (Lasted(_unhealthySince, key) && _groupsWithoutReplica.Add(key))
        {
            await _events.RecordAsync(
                EventKinds.NoReplica,
                group.Replicas.Count == 0
                    ? $"group {group.Id} in '{ns}' has no replica: if its master {group.Master} fails, the group stays down"
                    : $"group {group.Id} in '{ns}' has no usable replica ({string.Join(", ", group.Replicas)} down or not connected): if its master {group.Master} fails, the group stays down",
                ns, group.Id, group.Master, term).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True once the condition noted under <paramref name="key"/> has held for <see cref="AlarmGrace"/> (noting when it
    /// began).
    /// </summary>
    private bool Lasted(Dictionary<string, long> since, string key)
    {
        if (!since.TryGetValue(key, out var began))
        {
            since[key] = _time.GetTimestamp();
            return false;
        }

        return _time.GetElapsedTime(began) >= AlarmGrace;
    }

    /// <summary>
    /// How long a replica may be unfit (or a group without a usable replica) before it is reported: the down-after time,
    /// but at least 10 s, which covers a new replica's first sync (Redis waits 5 s by default before a diskless one).
    /// </summary>
    private TimeSpan AlarmGrace => _health.DownAfter > TimeSpan.FromSeconds(10) ? _health.DownAfter : TimeSpan.FromSeconds(10);

    /// <summary>
    /// True when <paramref name="state"/>'s last probe began after this controller last changed <paramref name="groupKey"/>:
    /// a probe from before a promotion shows the old roles, and acting on it would undo the promotion.
    /// </summary>
    private bool Fresh(ServerState state, string groupKey) =>
        !_changedAt.TryGetValue(groupKey, out var changed) || state.ProbedAt > changed;

    /// <summary>Notes that the roles in a group just changed, and has its servers probed again at once.</summary>
    private void Changed(string ns, int groupId, params string[] servers)
    {
        _changedAt[$"{ns}/{groupId}"] = _time.GetTimestamp();
        foreach (var server in servers)
        {
            ProbeNow?.Invoke(server);
        }
    }

    private bool RepairDue(string server)
    {
        var now = _time.GetTimestamp();
        if (_repairedAt.TryGetValue(server, out var at) && _time.GetElapsedTime(at, now) < RepairInterval)
        {
            return false;
        }

        _repairedAt[server] = now;
        return true;
    }
}
