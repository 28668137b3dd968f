using Microsoft.Extensions.Logging;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;
using Tessera.Resp.Servers;
using Tessera.Store;

namespace Tessera.Controller.Operations;

internal sealed partial class TopologyOperations
{
    /// <summary>Longest zone label accepted.</summary>
    private const int MaxZoneLength = 64;

    /// <summary>Creates an empty group (no servers yet; its first server becomes its master).</summary>
    public Task<ChangeResult> CreateGroupAsync(string name, int groupId, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        if (groupId < 1)
        {
            throw OperationRefusedException.BadRequest($"group id {groupId} is not allowed; group ids are positive integers (1, 2, …)");
        }

        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                if (current.Config.Groups.Any(g => g.Id == groupId))
                {
                    throw OperationRefusedException.Conflict($"namespace '{valid}' already has group {groupId}; add servers to it with `tessera group add {valid} {groupId} host:port` or pick another id");
                }

                var group = new GroupConfig { Id = groupId, Master = "" };
                var next = current.Config with { Epoch = current.Config.Epoch + 1, Groups = [.. current.Config.Groups.Append(group).OrderBy(static g => g.Id)] };
                var change = await _switch.CommitAsync(current, next, "update", term).ConfigureAwait(false);
                return Result(change, $"group {groupId} created in namespace '{valid}'; next: `tessera group add {valid} {groupId} host:port` (the first server becomes its master)");
            },
            requestAborted);
    }

    /// <summary>
    /// A redis-server joins a group: as master when the group has none (it must be a master now), otherwise as a
    /// replica, made so with <c>REPLICAOF</c> after it answered PING. A server belongs to one group in one
    /// namespace only, and a server holding keys is not turned into a replica (that would erase them).
    /// </summary>
    public Task<ChangeResult> AddServerAsync(string name, int groupId, AddServerRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var address = ValidateAddress(request.Address);
        var zone = ValidateZone(request.Zone);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var group = RequireGroup(current.Config, groupId);
                await RequireUnusedAsync(address, term).ConfigureAwait(false);
                var login = ServerLogin.Of((await _namespaces.GetAccessAsync(valid, term).ConfigureAwait(false)).Access);
                await ServerCommands.RequirePongAsync(valid, address, login, _options.ServerTimeout, term).ConfigureAwait(false);

                GroupConfig joined;
                string summary;
                var madeReplica = false;
                if (group.Master.Length == 0)
                {
                    var observed = await ServerCommands.RequireObservationAsync(address, login, _options.ServerTimeout, term).ConfigureAwait(false);
                    if (observed.Role == "replica")
                    {
                        throw OperationRefusedException.Conflict(
                            $"server {address} is a replica of {observed.ReplicaOf}, but the first server of group {groupId} becomes its master: make it a master first (redis-cli -h {Host(address)} -p {Port(address)} REPLICAOF NO ONE), or add it to the group whose master is {observed.ReplicaOf}");
                    }

                    joined = group with { Master = address };
                    summary = $"{address} joined group {groupId} of namespace '{valid}' as its master";
                }
                else
                {
                    var observed = await ServerCommands.RequireObservationAsync(address, login, _options.ServerTimeout, term).ConfigureAwait(false);
                    if (!string.Equals(observed.ReplicaOf, group.Master, StringComparison.OrdinalIgnoreCase))
                    {
                        var keys = await ServerCommands.DbSizeAsync(address, login, _options.ServerTimeout, term).ConfigureAwait(false);
                        if (keys > 0)
                        {
                            throw OperationRefusedException.Conflict(
                                $"server {address} holds {keys} key(s); making it a replica of {group.Master} would erase them: empty it first (FLUSHALL) or use an empty server");
                        }
                    }

                    // REPLICAOF before the commit: a server is listed only once it follows the master (a listed
                    // replica that does not replicate would look healthy to nobody); undone below if the commit fails.
                    madeReplica = !string.Equals(observed.ReplicaOf, group.Master, StringComparison.OrdinalIgnoreCase);
                    await ServerCommands.ReplicaOfAsync(address, login, group.Master, _options.ServerTimeout, term).ConfigureAwait(false);
                    joined = group with { Replicas = [.. group.Replicas, address] };
                    summary = $"{address} joined group {groupId} of namespace '{valid}' as a replica of {group.Master}";
                }

                if (zone is not null)
                {
                    joined = joined with { Zones = new Dictionary<string, string>(joined.Zones, StringComparer.Ordinal) { [address] = zone } };
                }

                var next = WithGroup(current.Config, joined) with { Epoch = current.Config.Epoch + 1 };
                Pushes.CommittedChange change;
                try
                {
                    change = await _switch.CommitAsync(current, next, "update", term).ConfigureAwait(false);
                }
                catch when (madeReplica)
                {
                    await DetachIfUnlistedAsync(valid, address, login, group.Master).ConfigureAwait(false);
                    throw;
                }

                _logins.Note(valid, login, [address]);

                _logger.LogInformation("{Summary} (epoch {Epoch}).", summary, next.Epoch);
                return Result(change, summary);
            },
            requestAborted);
    }

    /// <summary>
    /// After a failed commit of a new replica: when the store confirms the server is not listed, it must not go on
    /// replicating a master that does not know it (REPLICAOF NO ONE; it keeps the master's data). When the store
    /// cannot tell (the write may have happened), it is left replicating and the log says so.
    /// </summary>
    private async Task DetachIfUnlistedAsync(string ns, string address, ServerLogin? login, string master)
    {
        using var bound = new CancellationTokenSource(_options.ServerTimeout);
        string? problem;
        try
        {
            var now = await _namespaces.RequireAsync(ns, bound.Token).ConfigureAwait(false);
            if (now.Config.Groups.Any(g => g.Replicas.Contains(address, StringComparer.OrdinalIgnoreCase)))
            {
                return;
            }

            problem = await ServerCommands.TryDetachAsync(address, login, _options.ServerTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CoordinatorStoreException or OperationRefusedException or OperationCanceledException)
        {
            problem = $"the store could not tell whether it was listed: {e.Message.TrimEnd('.')}";
        }

        if (problem is not null)
        {
            _logger.LogWarning("{Address} was made a replica of {Master} but adding it to the group failed, and it was not detached ({Problem}); if `tessera status` does not list it, run REPLICAOF NO ONE on it.", address, master, problem);
        }
    }

    /// <summary>
    /// A server leaves its group. A replica may always leave (it is detached with <c>REPLICAOF NO ONE</c> and keeps
    /// its data). The master may leave only when the group has no replicas and no slots: promoting a replica is
    /// failover's job, and slots need a master.
    /// </summary>
    public Task<ChangeResult> RemoveServerAsync(string name, int groupId, string? address, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var server = ValidateAddress(address);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var group = RequireGroup(current.Config, groupId);
                var zones = new Dictionary<string, string>(group.Zones, StringComparer.Ordinal);
                zones.Remove(server);
                GroupConfig left;
                var warnings = new List<string>();
                var isMaster = string.Equals(group.Master, server, StringComparison.OrdinalIgnoreCase);
                if (isMaster)
                {
                    if (group.Replicas.Count > 0)
                    {
                        throw OperationRefusedException.Conflict(
                            $"{server} is the master of group {groupId} in namespace '{valid}', which still has replica(s) {string.Join(", ", group.Replicas)}: remove the replicas first (a failover to promote one comes with high availability)");
                    }

                    var owned = SlotTable.CountInvolving(SlotTable.Expand(current.Config.Slots), groupId);
                    if (owned > 0)
                    {
                        throw OperationRefusedException.Conflict(
                            $"{server} is the master of group {groupId} in namespace '{valid}', which serves {owned} slot(s); a group with slots needs its master: move the slots to another group first");
                    }

                    left = group with { Master = "", Zones = zones };
                }
                else
                {
                    var replica = group.Replicas.FirstOrDefault(r => string.Equals(r, server, StringComparison.OrdinalIgnoreCase))
                        ?? throw OperationRefusedException.NotFound(
                            $"server {server} is not in group {groupId} of namespace '{valid}' (its servers: {DescribeServers(group)})");
                    left = group with { Replicas = [.. group.Replicas.Where(r => !ReferenceEquals(r, replica))], Zones = zones };
                }

                var next = WithGroup(current.Config, left) with { Epoch = current.Config.Epoch + 1 };
                var change = await _switch.CommitAsync(current, next, "update", term).ConfigureAwait(false);
                if (!isMaster && await ServerCommands.TryDetachAsync(server, _logins.For(server), _options.ServerTimeout, term).ConfigureAwait(false) is { } problem)
                {
                    warnings.Add($"{server} left the group but could not be detached from {group.Master} ({problem}); it still replicates until you run REPLICAOF NO ONE on it");
                }

                return Result(change, $"{server} left group {groupId} of namespace '{valid}'" + (isMaster ? " (the group has no server now)" : " and no longer replicates"), warnings);
            },
            requestAborted);
    }

    /// <summary>Removes a group that serves no slots (not as owner, not as migration target). Its servers keep running as they are.</summary>
    public Task<ChangeResult> RemoveGroupAsync(string name, int groupId, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var group = RequireGroup(current.Config, groupId);
                var slots = SlotTable.Expand(current.Config.Slots);
                var owned = SlotTable.Spans(slots, o => o is { } owner && (owner.Group == groupId || owner.Target == groupId));
                if (owned.Count > 0)
                {
                    var count = owned.Sum(static s => s.To - s.From + 1);
                    throw OperationRefusedException.Conflict(
                        $"group {groupId} of namespace '{valid}' serves {count} slot(s) ({SlotTable.Describe(owned)}); a group with slots cannot be removed: move its slots to another group first");
                }

                var next = current.Config with { Epoch = current.Config.Epoch + 1, Groups = [.. current.Config.Groups.Where(g => g.Id != groupId)] };
                var change = await _switch.CommitAsync(current, next, "update", term).ConfigureAwait(false);
                var servers = DescribeServers(group);
                return Result(change, $"group {groupId} removed from namespace '{valid}'" + (servers == "none" ? "" : $"; its servers ({servers}) keep running as they are"));
            },
            requestAborted);
    }

    /// <summary>409 when <paramref name="address"/> is in any group of any namespace, naming where.</summary>
    private async Task RequireUnusedAsync(string address, CancellationToken cancellationToken)
    {
        foreach (var stored in await _namespaces.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var group in stored.Config.Groups)
            {
                var role = string.Equals(group.Master, address, StringComparison.OrdinalIgnoreCase) ? "master"
                    : group.Replicas.Any(r => string.Equals(r, address, StringComparison.OrdinalIgnoreCase)) ? "replica"
                    : null;
                if (role is not null)
                {
                    throw OperationRefusedException.Conflict(
                        $"server {address} is already the {role} of group {group.Id} in namespace '{stored.Config.Name}'; a server belongs to one group only (remove it there first with `tessera group remove-server {stored.Config.Name} {group.Id} {address}`)");
                }
            }
        }
    }

    private static string ValidateAddress(string? address) =>
        ServerAddress.TryParse(address, out _)
            ? address!
            : throw OperationRefusedException.BadRequest($"'{address}' is not a server address: write host:port, e.g. 127.0.0.1:6379 (IPv6 as [::1]:6379, port 1..65535)");

    /// <summary>
    /// Sets (or with null/"" removes) the zone label of a server of a group; pushed at a new epoch, so proxies with
    /// nearest reads re-sort its replicas at once. Nothing is sent to the server.
    /// </summary>
    public Task<ChangeResult> SetServerZoneAsync(string name, int groupId, string? address, UpdateServerRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(name);
        var server = ValidateAddress(address);
        var zone = string.IsNullOrEmpty(request.Zone) ? null : ValidateZone(request.Zone);
        return ChangeAsync(
            async term =>
            {
                var current = await _namespaces.RequireAsync(valid, term).ConfigureAwait(false);
                var group = RequireGroup(current.Config, groupId);
                var listed = (group.Master.Length > 0 ? group.Replicas.Prepend(group.Master) : group.Replicas)
                    .FirstOrDefault(s => string.Equals(s, server, StringComparison.OrdinalIgnoreCase))
                    ?? throw OperationRefusedException.NotFound($"server {server} is not in group {groupId} of namespace '{valid}'; `tessera status` lists its servers");
                var zones = new Dictionary<string, string>(group.Zones, StringComparer.Ordinal);
                if (zone is null)
                {
                    zones.Remove(listed);
                }
                else
                {
                    zones[listed] = zone;
                }

                var summary = zone is null ? $"{listed} of group {groupId} in '{valid}' has no zone" : $"{listed} of group {groupId} in '{valid}' is in zone {zone}";
                if (group.Zones.GetValueOrDefault(listed) == zone)
                {
                    return Result(new Pushes.CommittedChange(current, []), summary + " (unchanged)");
                }

                var next = WithGroup(current.Config, group with { Zones = zones }) with { Epoch = current.Config.Epoch + 1 };
                var change = await _switch.CommitAsync(current, next, "update", term).ConfigureAwait(false);
                _logger.LogInformation("{Summary} (epoch {Epoch}).", summary, next.Epoch);
                return Result(change, summary);
            },
            requestAborted);
    }

    private static string? ValidateZone(string? zone)
    {
        if (zone is null)
        {
            return null;
        }

        return zone.Length is > 0 and <= MaxZoneLength && zone.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? zone
            : throw OperationRefusedException.BadRequest($"'{zone}' is not a zone label: use 1–{MaxZoneLength} letters, digits, '-', '_' or '.' (e.g. eu-west-1a)");
    }

    private static string DescribeServers(GroupConfig group)
    {
        var servers = new List<string>();
        if (group.Master.Length > 0)
        {
            servers.Add(group.Master + " (master)");
        }

        servers.AddRange(group.Replicas);
        return servers.Count == 0 ? "none" : string.Join(", ", servers);
    }

    private static string Host(string address) => ServerAddress.TryParse(address, out var parsed) ? parsed.Host : address;

    private static int Port(string address) => ServerAddress.TryParse(address, out var parsed) ? parsed.Port : 0;
}
