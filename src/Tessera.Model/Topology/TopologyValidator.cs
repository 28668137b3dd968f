using System.Globalization;
using Tessera.Resp.Servers;

namespace Tessera.Model.Topology;

/// <summary>
/// Checks a <see cref="TopologyConfig"/> for mistakes a proxy must never serve: duplicate namespaces or group
/// ids, a server in two groups, malformed host:port, slot ranges outside 0..1023, overlapping, naming a missing
/// group, or leaving slots unassigned. Returns every problem, each naming where it is, so one run fixes a file.
/// </summary>
public static class TopologyValidator
{
    /// <summary>Slots per namespace (<c>crc32(tag) % 1024</c>).</summary>
    public const int SlotCount = 1024;

    /// <summary>
    /// Every problem in <paramref name="topology"/>; empty when it is valid. <paramref name="requireAllSlots"/>
    /// is true for topology files (a proxy started from a file must serve every slot) and false for routes
    /// built step by step through the controller, where unassigned slots are normal.
    /// </summary>
    public static IReadOnlyList<string> Validate(TopologyConfig topology, bool requireAllSlots = true)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var problems = new List<string>();
        if (topology.Epoch < 0)
        {
            problems.Add(Invariant($"epoch is {topology.Epoch}; it must be 0 or more"));
        }

        if (topology.Namespaces.Count == 0)
        {
            problems.Add("no namespaces are defined: add at least one (e.g. 'default')");
        }

        var namespaceNames = new HashSet<string>(StringComparer.Ordinal);

        // A server serves one group of one namespace: two owners would write over each other's keys.
        var serverOwners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var ns in topology.Namespaces)
        {
            if (ns.Name.Length > 0 && !namespaceNames.Add(ns.Name))
            {
                problems.Add($"namespace '{ns.Name}' is defined twice");
            }

            if (ns.Name.Any(char.IsWhiteSpace))
            {
                problems.Add($"namespace '{ns.Name}': the name must not contain spaces");
            }

            foreach (var problem in Tenants.AllowList.Problems(ns.AllowedIps))
            {
                problems.Add($"namespace '{ns.Name}': {problem}");
            }

            foreach (var problem in Tenants.ClientCertificateIdentity.Problems(ns.ClientCertificates))
            {
                problems.Add($"namespace '{ns.Name}': {problem}");
            }

            if (ns.Quota is { } quota && (quota.OpsPerSecond < 0 || quota.BytesInPerSecond < 0 || quota.BytesOutPerSecond < 0 || quota.MaxConnections < 0 || quota.MaxRequestBytes < 0))
            {
                problems.Add($"namespace '{ns.Name}': a quota is negative; limits are positive numbers (0 or absent: no limit)");
            }

            ValidateGroups(ns, serverOwners, problems, requireAllSlots);
            ValidateSlots(ns, problems, requireAllSlots);
        }

        return problems;
    }

    /// <summary>
    /// Parses "host:port" (IPv6 as "[::1]:port", the host given back without brackets) by the rules of
    /// <see cref="ServerAddress.TryParse"/>, for callers that want the parts.
    /// </summary>
    public static bool TryParseHostPort(string? endpoint, out string host, out int port)
    {
        bool ok = ServerAddress.TryParse(endpoint, out ServerAddress address);
        host = address.Host;
        port = address.Port;
        return ok;
    }

    private static void ValidateGroups(NamespaceConfig ns, Dictionary<string, string> serverOwners, List<string> problems, bool requireAllSlots)
    {
        var ids = new HashSet<int>();
        foreach (var group in ns.Groups)
        {
            var where = Invariant($"namespace '{ns.Name}', group {group.Id}");
            if (group.Id < 1)
            {
                problems.Add(Invariant($"namespace '{ns.Name}': group id {group.Id} is not allowed; ids are positive integers"));
            }
            else if (!ids.Add(group.Id))
            {
                problems.Add(Invariant($"namespace '{ns.Name}': group id {group.Id} is defined twice; group ids must be unique"));
            }

            // A group created through the controller has no master until its first server is added; it can
            // own no slots then (checked below), and proxies simply have nothing to route to it.
            bool masterless = string.IsNullOrEmpty(group.Master) && group.Replicas.Count == 0;
            if (!masterless || requireAllSlots)
            {
                CheckServer(group.Master, "master", where, serverOwners, problems);
            }

            foreach (var replica in group.Replicas)
            {
                CheckServer(replica, "replica", where, serverOwners, problems);
            }
        }
    }

    private static void CheckServer(string endpoint, string role, string where, Dictionary<string, string> serverOwners, List<string> problems)
    {
        if (!ServerAddress.TryParse(endpoint, out _))
        {
            // An empty master was already reported as missing when the file was read.
            if (!string.IsNullOrEmpty(endpoint) || role != "master")
            {
                problems.Add($"{where}: {role} '{endpoint}' is not host:port (e.g. 127.0.0.1:6379, port 1..65535)");
            }

            return;
        }

        if (serverOwners.TryGetValue(endpoint, out var owner))
        {
            problems.Add(owner == where
                ? $"{where}: server {endpoint} is listed twice"
                : $"server {endpoint} is in {owner} and in {where}; a server belongs to one group only");
            return;
        }

        serverOwners.Add(endpoint, where);
    }

    private static void ValidateSlots(NamespaceConfig ns, List<string> problems, bool requireAllSlots)
    {
        var groupIds = new HashSet<int>();
        foreach (var group in ns.Groups)
        {
            groupIds.Add(group.Id);
        }

        // Owner range of each slot, to report overlaps by the ranges that collide.
        var owners = new SlotRangeConfig?[SlotCount];
        foreach (var range in ns.Slots)
        {
            var text = Invariant($"slot range {range.From}..{range.To}");
            if (range.From > range.To)
            {
                problems.Add($"namespace '{ns.Name}': {text} is reversed; 'from' must not be greater than 'to'");
                continue;
            }

            if (range.From < 0 || range.To >= SlotCount)
            {
                problems.Add(Invariant($"namespace '{ns.Name}': {text} is outside 0..{SlotCount - 1}"));
                continue;
            }

            if (!groupIds.Contains(range.Group))
            {
                problems.Add(Invariant($"namespace '{ns.Name}': {text} names group {range.Group}, which is not defined in this namespace"));
            }

            SlotRangeConfig? reported = null;
            for (var slot = range.From; slot <= range.To; slot++)
            {
                if (owners[slot] is { } other)
                {
                    if (!ReferenceEquals(other, reported))
                    {
                        problems.Add(Invariant($"namespace '{ns.Name}': {text} (group {range.Group}) overlaps slot range {other.From}..{other.To} (group {other.Group})"));
                        reported = other;
                    }

                    continue;
                }

                owners[slot] = range;
            }
        }

        if (requireAllSlots)
        {
            ReportUnassigned(ns.Name, owners, problems);
        }
    }

    private static void ReportUnassigned(string name, SlotRangeConfig?[] owners, List<string> problems)
    {
        var gaps = new List<string>();
        var slot = 0;
        while (slot < SlotCount)
        {
            if (owners[slot] is not null)
            {
                slot++;
                continue;
            }

            var start = slot;
            while (slot < SlotCount && owners[slot] is null)
            {
                slot++;
            }

            gaps.Add(Invariant($"{start}..{slot - 1}"));
        }

        if (gaps.Count > 0)
        {
            problems.Add($"namespace '{name}': slots {string.Join(", ", gaps)} are not assigned to any group; every slot 0..{SlotCount - 1} needs an owner");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
