using System.Globalization;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Migration;
using Tessera.Controller.Topology;
using Tessera.Model.Api;

namespace Tessera.Controller.Rebalance;

/// <summary>
/// <c>tessera slots rebalance</c>: plans with <see cref="RebalancePlanner"/> and, unless it is a dry run, queues
/// the plan as migrations (one per receiving group, run one after the other).
/// </summary>
internal sealed class RebalanceService
{
    private readonly MigrationManager _migrations;
    private readonly MigrationServices _services;

    public RebalanceService(MigrationManager migrations, MigrationServices services)
    {
        _migrations = migrations;
        _services = services;
    }

    public async Task<RebalanceResult> RebalanceAsync(string name, RebalanceRequest request, CancellationToken requestAborted)
    {
        var ns = NamespaceRepository.ValidateName(name);
        var current = await _services.Namespaces.RequireAsync(ns, requestAborted).ConfigureAwait(false);
        var weights = ParseWeights(current.Config, request.Weights);
        var unfinished = (await _services.Migrations.ListAsync(ns, requestAborted).ConfigureAwait(false)).Where(static s => !s.Migration.IsFinal).ToList();
        if (unfinished.Count > 0)
        {
            throw OperationRefusedException.Conflict(
                $"namespace '{ns}' has unfinished migration(s) {string.Join(", ", unfinished.Select(static s => s.Migration.Id))}; rebalance once they are done (`tessera slots migration list {ns}`) or cancel them");
        }

        var plan = RebalancePlanner.Plan(current.Config, weights);
        if (request.DryRun || plan.Moves.Count == 0)
        {
            return new RebalanceResult { Plan = plan, DryRun = request.DryRun };
        }

        var created = await _migrations.CreateAsync(ns, [.. plan.Moves.Select(static m => (new SlotSpan(m.From, m.To), m.Target))], request.Settings, "rebalance", requestAborted).ConfigureAwait(false);
        _services.Logger.LogInformation("Rebalance of namespace {Namespace}: {Slots} slot(s) in {Moves} move(s), queued as {Migrations}.", ns, plan.SlotsMoved, plan.Moves.Count, string.Join(", ", created.Select(static m => m.Id)));
        return new RebalanceResult { Plan = plan, Migrations = created };
    }

    private static Dictionary<int, double> ParseWeights(Model.Topology.NamespaceConfig ns, IReadOnlyDictionary<string, double>? weights)
    {
        var parsed = new Dictionary<int, double>();
        foreach (var (key, weight) in weights ?? new Dictionary<string, double>())
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var group) || ns.Groups.All(g => g.Id != group))
            {
                throw OperationRefusedException.BadRequest($"weight for '{key}': namespace '{ns.Name}' has no such group (its groups: {string.Join(", ", ns.Groups.Select(static g => g.Id))})");
            }

            if (weight < 0 || double.IsNaN(weight) || double.IsInfinity(weight))
            {
                throw OperationRefusedException.BadRequest($"weight {weight} for group {group} is not 0 or a positive number (0 empties the group, 2 gives it twice the slots of a group with 1)");
            }

            parsed[group] = weight;
        }

        return parsed;
    }
}
