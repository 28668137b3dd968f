using Microsoft.Extensions.Logging;
using Tessera.Controller.Election;
using Tessera.Controller.Pushes;
using Tessera.Controller.Servers;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Topology;

namespace Tessera.Controller.Operations;

/// <summary>
/// Every change to the topology: validated against the stored namespaces, written as a new namespace epoch
/// with one compare-and-set of the namespace document, then pushed to the proxies (two-phase when slots
/// change owner, see <see cref="SlotSwitch"/>). Split by aggregate: namespaces, groups, slots.
/// </summary>
/// <remarks>
/// Changes run one at a time (a server may be in only one group across all namespaces, which one
/// namespace's compare-and-set cannot guarantee) and only under a leader's term: a standby refuses them with
/// 503, and a leader that loses its term mid-change stops pushing and answers 503 too. Reads work anywhere.
/// </remarks>
internal sealed partial class TopologyOperations : IDisposable
{
    private readonly NamespaceRepository _namespaces;
    private readonly SlotSwitch _switch;
    private readonly RoutePusher _pusher;
    private readonly LeaderElection _election;
    private readonly ServerLogins _logins;
    private readonly ControllerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _serial = new(1, 1);

    public TopologyOperations(NamespaceRepository namespaces, SlotSwitch slotSwitch, RoutePusher pusher, LeaderElection election, ServerLogins logins, ControllerOptions options, ILogger logger)
    {
        _namespaces = namespaces;
        _switch = slotSwitch;
        _pusher = pusher;
        _election = election;
        _logins = logins;
        _options = options;
        _logger = logger;
    }

    /// <summary>The 503 a standby answers to changes, naming the leader.</summary>
    public OperationRefusedException Standby()
    {
        var leader = _election.KnownLeader;
        if (leader is not null && leader.Id == _election.Self.Id)
        {
            // Its own lock from a term that just ended (the store was unreachable) or from an earlier run with this id.
            return OperationRefusedException.Unavailable(
                $"this controller ('{leader.Id}') is not leading right now: the leader lock still holds one of its own earlier leases, which it resumes or which expires within {_options.LeaseTtl.TotalSeconds:0.#} s; retry then");
        }

        if (leader is null)
        {
            return OperationRefusedException.Unavailable("this controller is a standby; the leader is not known yet (an election is under way: retry in a few seconds)");
        }

        return new OperationRefusedException(503, $"this controller is a standby; the leader is {leader.Url} (controller '{leader.Id}'): send changes there, e.g. --controller {leader.Url}")
        {
            Leader = Uri.TryCreate(leader.Url, UriKind.Absolute, out var url) ? url : null,
        };
    }

    /// <summary>Which credentials log in to which server; shared with the health watches, failover, migrations and status.</summary>
    public ServerLogins Logins => _logins;

    public void Dispose() => _serial.Dispose();

    /// <summary>Runs <paramref name="change"/> alone and under the current term; 503 on a standby or when the term ends.</summary>
    internal async Task<T> ChangeAsync<T>(Func<CancellationToken, Task<T>> change, CancellationToken requestAborted)
    {
        var term = _election.Term ?? throw Standby();
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(term, requestAborted))
        {
            try
            {
                await _serial.WaitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (term.IsCancellationRequested)
            {
                throw LostLeadership(null);
            }
        }

        try
        {
            // Not cancelled by the caller going away: a change that has begun is finished (or its lock rolled
            // back), never abandoned between its phases.
            return term.IsCancellationRequested ? throw LostLeadership(null) : await change(term).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (term.IsCancellationRequested)
        {
            throw LostLeadership(e);
        }
        finally
        {
            _serial.Release();
        }
    }

    private OperationRefusedException LostLeadership(Exception? inner)
    {
        _logger.LogWarning("A change was interrupted because this controller stopped leading.");
        return OperationRefusedException.Unavailable(
            "this controller stopped being the leader during the change; what was written to the store stays and proxies reload it from there: check `tessera status` and retry against the new leader",
            inner);
    }

    private static ChangeResult Result(CommittedChange change, string summary, IReadOnlyList<string>? warnings = null) => new()
    {
        Namespace = change.Stored.Config,
        Summary = summary,
        Warnings = warnings ?? [],
        Pushes = change.Pushes,
    };

    private static GroupConfig RequireGroup(NamespaceConfig ns, int groupId) =>
        ns.Groups.FirstOrDefault(g => g.Id == groupId)
        ?? throw OperationRefusedException.NotFound(
            $"namespace '{ns.Name}' has no group {groupId}{DescribeGroups(ns)}; create it with `tessera group create {ns.Name} {groupId}`");

    private static string DescribeGroups(NamespaceConfig ns) =>
        ns.Groups.Count == 0 ? " (it has no groups yet)" : $" (its groups: {string.Join(", ", ns.Groups.Select(static g => g.Id))})";

    /// <summary>The namespace with <paramref name="group"/> in place of the group with the same id.</summary>
    private static NamespaceConfig WithGroup(NamespaceConfig ns, GroupConfig group) =>
        ns with { Groups = [.. ns.Groups.Select(g => g.Id == group.Id ? group : g)] };
}
