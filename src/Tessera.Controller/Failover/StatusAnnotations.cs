using Tessera.Controller.Health;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Controller.Failover;

/// <summary>
/// Adds the health verdicts to <c>GET /api/status</c> (and so to <c>tessera status</c>): a replica that may not
/// serve reads says why and that it is kept out of reads; a master whose group could not fail over says so.
/// The structured form is <c>GET /api/health</c>.
/// </summary>
internal static class StatusAnnotations
{
    /// <param name="fresh">Each namespace's fresh replicas as stored (null: none measured yet), for <see cref="ServerStatus.Fresh"/>.</param>
    public static StatusReport Apply(StatusReport report, HealthReport health, IReadOnlyDictionary<string, FreshReplicas?>? fresh = null)
    {
        var groups = new Dictionary<(string, int), GroupHealth>();
        foreach (var group in health.Groups)
        {
            groups[(group.Namespace, group.Group)] = group;
        }

        return report with
        {
            Namespaces = [.. report.Namespaces.Select(ns => ns with
            {
                Groups = [.. ns.Groups.Select(g => WithFreshness(groups.TryGetValue((ns.Name, g.Id), out var found) ? Annotate(g, found) : g, fresh?.GetValueOrDefault(ns.Name)))],
            })],
        };
    }

    private static GroupStatus WithFreshness(GroupStatus group, FreshReplicas? fresh)
    {
        var master = group.Servers.FirstOrDefault(static s => s.Role == "master")?.Address ?? "";
        var names = fresh?.Of(group.Id, master) ?? [];
        return group with
        {
            Servers = [.. group.Servers.Select(s => s.Role == "replica" ? s with { Fresh = names.Contains(s.Address, StringComparer.OrdinalIgnoreCase) } : s)],
        };
    }

    private static GroupStatus Annotate(GroupStatus group, GroupHealth health)
    {
        var servers = new List<ServerStatus>(group.Servers.Count);
        foreach (var server in group.Servers)
        {
            var verdict = health.Servers.FirstOrDefault(s => string.Equals(s.Address, server.Address, StringComparison.OrdinalIgnoreCase));
            var notes = new List<string>();
            if (verdict is { Role: "replica", ServesReads: false, Health: not ServerHealthStates.Unknown })
            {
                notes.Add($"{verdict.Health}: {verdict.Detail}; kept out of reads");
            }

            if (server.Role == "master")
            {
                if (health.Flags.Contains(GroupHealthFlags.NoReplica))
                {
                    notes.Add("the group has no replica: if this master fails, the group stays down");
                }
                else if (health.Flags.Contains(GroupHealthFlags.NoUsableReplica))
                {
                    notes.Add("the group has no replica that could take over: if this master fails, the group stays down");
                }

                if (health.Flags.Contains(GroupHealthFlags.FailoverInProgress))
                {
                    notes.Add("a failover of this group is under way (see `tessera events`)");
                }
            }

            servers.Add(notes.Count == 0 ? server : server with { Problem = string.Join("; ", server.Problem is null ? notes : notes.Prepend(server.Problem)) });
        }

        return group with { Servers = servers };
    }
}
