using System.Globalization;
using System.Net;
using Tessera.Controller.Servers;
using Tessera.Model.Topology;

namespace Tessera.Controller.Failover;

/// <summary>A replica as it answered a probe just now (null probe: it was not probed).</summary>
internal sealed record ReplicaCandidate(string Address, ProbeResult? Probe);

/// <summary>A replica left out of the choice, and why in words.</summary>
internal sealed record ReplicaExclusion(string Address, string Reason);

/// <summary>The outcome: usable replicas best first, and the others with their reasons.</summary>
internal sealed record ReplicaChoice(IReadOnlyList<ReplicaCandidate> Ranked, IReadOnlyList<ReplicaExclusion> Excluded)
{
    public ReplicaCandidate? Best => Ranked.Count > 0 ? Ranked[0] : null;

    /// <summary>"127.0.0.1:7003 does not answer; 127.0.0.1:7004 has replica-priority 0" for messages.</summary>
    public string DescribeExcluded() => Excluded.Count == 0 ? "the group has no replicas" : string.Join("; ", Excluded.Select(static e => $"{e.Address} {e.Reason}"));
}

/// <summary>
/// Which replica takes over a failed master, in Redis Sentinel's order (architecture §5): drop the unusable ones
/// (silent, not a replica of that master, still in its first sync, never in sync since it started, cut off
/// from the master for too long, or <c>replica-priority 0</c>), then lowest non-zero priority, then largest
/// replication offset (least data lost), then smallest run id (a stable tie-break).
/// </summary>
internal static class ReplicaSelection
{
    /// <summary>Priority assumed when a replica does not report one (Redis's default).</summary>
    public const int DefaultPriority = 100;

    /// <param name="replicas">The group's replicas as probed now.</param>
    /// <param name="failedMaster">The master being replaced ("host:port").</param>
    /// <param name="maxLinkDown">A replica whose link to the master has been down longer than this has too old a copy.</param>
    public static ReplicaChoice Choose(IEnumerable<ReplicaCandidate> replicas, string failedMaster, TimeSpan maxLinkDown)
    {
        var usable = new List<ReplicaCandidate>();
        var excluded = new List<ReplicaExclusion>();
        foreach (var replica in replicas)
        {
            if (Exclude(replica, failedMaster, maxLinkDown) is { } reason)
            {
                excluded.Add(new ReplicaExclusion(replica.Address, reason));
            }
            else
            {
                usable.Add(replica);
            }
        }

        usable.Sort(static (a, b) =>
        {
            var byPriority = (a.Probe!.Priority ?? DefaultPriority).CompareTo(b.Probe!.Priority ?? DefaultPriority);
            if (byPriority != 0)
            {
                return byPriority;
            }

            var byOffset = b.Probe.Offset.CompareTo(a.Probe.Offset);
            return byOffset != 0 ? byOffset : string.CompareOrdinal(a.Probe.RunId ?? a.Address, b.Probe.RunId ?? b.Address);
        });
        return new ReplicaChoice(usable, excluded);
    }

    /// <summary>Why <paramref name="replica"/> cannot take over, or null when it can.</summary>
    public static string? Exclude(ReplicaCandidate replica, string failedMaster, TimeSpan maxLinkDown)
    {
        var probe = replica.Probe;
        if (probe is null || !probe.Ok)
        {
            return $"does not answer ({probe?.Problem ?? "not probed"})";
        }

        if (probe.Busy)
        {
            return "is " + ProbeResult.BusyProblem;
        }

        if (probe.Role != "replica")
        {
            return "is not a replica (it says it is a master)";
        }

        if (!ServerIdentity.SameServer(probe.ReplicaOf, failedMaster))
        {
            return $"replicates from {probe.ReplicaOf ?? "nothing"}, not from {failedMaster}";
        }

        if (probe.SyncInProgress)
        {
            return "is still loading its first full copy from the master";
        }

        if (!probe.LinkUp && probe.LinkDownSeconds is null or < 0)
        {
            return "has not been in sync with the master since it started";
        }

        if (!probe.LinkUp && probe.LinkDownSeconds > maxLinkDown.TotalSeconds)
        {
            return string.Create(CultureInfo.InvariantCulture, $"lost its link to the master {probe.LinkDownSeconds} s ago (more than {maxLinkDown.TotalSeconds:0} s: its copy is too old)");
        }

        return probe.Priority == 0 ? "has replica-priority 0 (configured never to be promoted)" : null;
    }
}
