using Tessera.Controller.Proxies;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;

namespace Tessera.Controller.Status;

/// <summary>
/// Builds the status report: namespaces from the store with their signatures, each server asked for
/// INFO replication and each proxy for its topology, all in parallel and each bounded by
/// <see cref="ControllerOptions.ProbeTimeout"/>, so one dead server or proxy costs one timeout, not one each.
/// </summary>
internal sealed class StatusService
{
    private readonly NamespaceRepository _namespaces;
    private readonly ProxyDirectory _directory;
    private readonly ProxyAdminClient _proxies;
    private readonly ServerLogins _logins;
    private readonly ControllerOptions _options;

    public StatusService(NamespaceRepository namespaces, ProxyDirectory directory, ProxyAdminClient proxies, ServerLogins logins, ControllerOptions options)
    {
        _namespaces = namespaces;
        _directory = directory;
        _proxies = proxies;
        _logins = logins;
        _options = options;
    }

    /// <summary>The whole picture; <paramref name="controller"/> is who answers.</summary>
    public async Task<StatusReport> BuildAsync(ControllerInfo controller, CancellationToken cancellationToken)
    {
        var namespaces = (await _namespaces.ListAsync(cancellationToken).ConfigureAwait(false)).Select(static n => n.Config).ToList();
        var proxiesTask = ProxiesAsync(namespaces, cancellationToken);
        var servers = namespaces.SelectMany(static n => n.Groups).SelectMany(static g => g.Replicas.Prepend(g.Master)).Where(static s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var observations = await Task.WhenAll(servers.Select(s => ServerCommands.ObserveAsync(s, _logins.For(s), _options.ProbeTimeout, cancellationToken))).ConfigureAwait(false);
        var observed = new Dictionary<string, ServerObservation>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < servers.Count; i++)
        {
            observed[servers[i]] = observations[i];
        }

        return new StatusReport
        {
            Controller = controller,
            Namespaces = [.. namespaces.Select(n => Describe(n, observed))],
            Proxies = await proxiesTask.ConfigureAwait(false),
        };
    }

    /// <summary>Every registered proxy with its reported routes compared to <paramref name="namespaces"/> (null: read them).</summary>
    public async Task<IReadOnlyList<ProxyStatus>> ProxiesAsync(IReadOnlyList<NamespaceConfig>? namespaces, CancellationToken cancellationToken)
    {
        namespaces ??= [.. (await _namespaces.ListAsync(cancellationToken).ConfigureAwait(false)).Select(static n => n.Config)];
        var records = await _directory.ListAsync(cancellationToken).ConfigureAwait(false);
        var stored = namespaces.ToDictionary(static n => n.Name, static n => (n.Epoch, Signature: TopologySignature.Compute(n)), StringComparer.Ordinal);
        return await Task.WhenAll(records.Select(r => ProbeAsync(r, stored, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<ProxyStatus> ProbeAsync(ProxyRecord proxy, Dictionary<string, (long Epoch, string Signature)> stored, CancellationToken cancellationToken)
    {
        ProxyRoutesState state;
        try
        {
            state = await _proxies.GetStateAsync(proxy, _options.ProbeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ProxyCallException e)
        {
            return new ProxyStatus
            {
                Proxy = proxy,
                Reachable = false,
                Problem = e.Message,
                Namespaces = [.. stored.OrderBy(static s => s.Key, StringComparer.Ordinal).Select(static s => new ProxyNamespaceStatus { Name = s.Key, StoredEpoch = s.Value.Epoch })],
            };
        }

        var reported = state.Namespaces.ToDictionary(static n => n.Name, StringComparer.Ordinal);
        var names = stored.Keys.Union(reported.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var comparisons = new List<ProxyNamespaceStatus>();
        foreach (var name in names)
        {
            var has = reported.TryGetValue(name, out var mine);
            var known = stored.TryGetValue(name, out var truth);
            comparisons.Add(new ProxyNamespaceStatus
            {
                Name = name,
                Epoch = has ? mine!.Epoch : null,
                Signature = has ? mine!.Signature : null,
                StoredEpoch = known ? truth.Epoch : null,
                Matches = has && known && string.Equals(mine!.Signature, truth.Signature, StringComparison.Ordinal),
            });
        }

        return new ProxyStatus { Proxy = proxy, Reachable = true, Fenced = state.Fenced, Namespaces = comparisons };
    }

    private static NamespaceStatus Describe(NamespaceConfig ns, Dictionary<string, ServerObservation> observed)
    {
        var slots = SlotTable.Expand(ns.Slots);
        var groups = new List<GroupStatus>();
        foreach (var group in ns.Groups.OrderBy(static g => g.Id))
        {
            var servers = new List<ServerStatus>();
            if (group.Master.Length > 0)
            {
                servers.Add(Server(group, group.Master, "master", observed));
            }

            foreach (var replica in group.Replicas)
            {
                servers.Add(Server(group, replica, "replica", observed));
            }

            groups.Add(new GroupStatus { Id = group.Id, Slots = SlotTable.CountOwnedBy(slots, group.Id), Servers = servers });
        }

        return new NamespaceStatus
        {
            Name = ns.Name,
            Epoch = ns.Epoch,
            Signature = TopologySignature.Compute(ns),
            AssignedSlots = slots.Count(static s => s is not null),
            Groups = groups,
        };
    }

    private static ServerStatus Server(GroupConfig group, string address, string role, Dictionary<string, ServerObservation> observed)
    {
        var seen = observed.GetValueOrDefault(address) ?? ServerObservation.Down("not probed");
        string? problem = seen.Problem;
        if (!seen.IsDown && !seen.IsBusy)
        {
            if (seen.Role != role)
            {
                problem = $"stored as {role} but reports {seen.Role}";
            }
            else if (role == "replica" && !string.Equals(seen.ReplicaOf, group.Master, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"replicates from {seen.ReplicaOf}, not from the group's master {group.Master}";
            }
            else if (role == "replica" && seen.MasterLink != "up")
            {
                problem = "its link to the master is down (still syncing, or the master is unreachable)";
            }
        }

        return new ServerStatus
        {
            Address = address,
            Role = role,
            Zone = group.Zones.GetValueOrDefault(address),
            Observed = seen.Role,
            ReplicaOf = seen.ReplicaOf,
            MasterLink = seen.MasterLink,
            Offset = seen.Offset,
            Problem = problem,
        };
    }
}
