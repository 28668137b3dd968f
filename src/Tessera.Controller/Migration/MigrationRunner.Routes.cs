using Microsoft.Extensions.Logging;
using Tessera.Controller.Topology;
using Tessera.Model.Topology;

namespace Tessera.Controller.Migration;

/// <remarks>The two route changes of a migration, each a two-phase <see cref="Pushes.SlotSwitch"/> run as a topology change.</remarks>
internal sealed partial class MigrationRunner
{
    /// <summary>What a route step found: a problem that forbids it, or that the slots are already where the step would put them at the end.</summary>
    private readonly record struct RouteOutcome(string? Problem, bool AlreadyThere);

    /// <summary>
    /// Makes every slot of the migration <c>migrating(from → to)</c>: from its source to the target, or back while
    /// cancelling. Slots already so stay; slots online at <c>from</c>, or migrating the other way (a cancel), are
    /// switched; slots online at <c>to</c> mean the whole move already finished.
    /// </summary>
    private Task<RouteOutcome> SwitchToMigratingAsync(SlotMigration migration, CancellationToken stop) =>
        _services.Operations.ChangeAsync(
            async term =>
            {
                var current = await _services.Namespaces.RequireAsync(migration.Namespace, term).ConfigureAwait(false);
                var slots = SlotTable.Expand(current.Config.Slots);
                var affected = new bool[SlotTable.SlotCount];
                var problems = new List<string>();
                int switched = 0, there = 0;
                foreach (var progress in migration.Slots)
                {
                    var (from, to) = Direction(migration, progress);
                    var owner = slots[progress.Slot];
                    if (owner is { State: SlotState.Migrating } m && m.Group == from && m.Target == to)
                    {
                        continue;
                    }

                    if (owner is { State: SlotState.Online } there1 && there1.Group == to)
                    {
                        there++;
                        continue;
                    }

                    if ((owner is { State: SlotState.Online } o && o.Group == from) || (owner is { State: SlotState.Migrating } back && back.Group == to && back.Target == from))
                    {
                        slots[progress.Slot] = new SlotOwner(from, SlotState.Migrating, to);
                        affected[progress.Slot] = true;
                        switched++;
                        continue;
                    }

                    problems.Add(Describe(progress.Slot, owner));
                }

                if (problems.Count > 0)
                {
                    return new RouteOutcome(
                        $"slot(s) {string.Join(", ", problems.Take(4))}{(problems.Count > 4 ? $" and {problems.Count - 4} more" : "")} are no longer where this migration expects them, so it did not begin (nothing was moved); check `tessera slots show {migration.Namespace}` and start a new migration",
                        false);
                }

                if (there > 0)
                {
                    return there == migration.Slots.Count
                        ? new RouteOutcome(null, true)
                        : new RouteOutcome($"{there} of its {migration.Slots.Count} slots are already online at their destination while the others are not; check `tessera slots show {migration.Namespace}`", false);
                }

                if (switched == 0)
                {
                    return new RouteOutcome(null, false);
                }

                RequireMasters(current.Config, migration);
                var change = await _services.Switch.SwitchAsync(current, affected, current.Config with { Slots = SlotTable.Compress(slots) }, term).ConfigureAwait(false);
                _logger.LogInformation(
                    "Migration {Migration}: {Count} slot(s) switched to migrating {Direction} at epoch {Epoch}.",
                    Name, switched, migration.Reverse ? $"back from group {migration.Target}" : $"to group {migration.Target}", change.Stored.Config.Epoch);
                return new RouteOutcome(null, false);
            },
            stop);

    /// <summary>Makes every slot of the migration online at its destination (the target, or its source after a cancel).</summary>
    private Task<bool> SwitchToOnlineAsync(SlotMigration migration, CancellationToken stop) =>
        _services.Operations.ChangeAsync(
            async term =>
            {
                var current = await _services.Namespaces.RequireAsync(migration.Namespace, term).ConfigureAwait(false);
                var slots = SlotTable.Expand(current.Config.Slots);
                var affected = new bool[SlotTable.SlotCount];
                var problems = new List<string>();
                var switched = 0;
                foreach (var progress in migration.Slots)
                {
                    var (from, to) = Direction(migration, progress);
                    var owner = slots[progress.Slot];
                    if (owner is { State: SlotState.Online } o && o.Group == to)
                    {
                        continue;
                    }

                    if (owner is { State: SlotState.Migrating } m && m.Group == from && m.Target == to)
                    {
                        slots[progress.Slot] = new SlotOwner(to, SlotState.Online, null);
                        affected[progress.Slot] = true;
                        switched++;
                        continue;
                    }

                    problems.Add(Describe(progress.Slot, owner));
                }

                if (problems.Count > 0)
                {
                    throw OperationRefusedException.Conflict(
                        $"cannot put the slots online: slot(s) {string.Join(", ", problems.Take(4))} are not migrating as this migration left them; check `tessera slots show {migration.Namespace}`");
                }

                if (switched > 0)
                {
                    var change = await _services.Switch.SwitchAsync(current, affected, current.Config with { Slots = SlotTable.Compress(slots) }, term).ConfigureAwait(false);
                    _logger.LogInformation("Migration {Migration}: {Count} slot(s) online at their new owner at epoch {Epoch}.", Name, switched, change.Stored.Config.Epoch);
                }

                return true;
            },
            stop);

    /// <summary>Where a slot's keys go: source → target, or target → source while cancelling.</summary>
    private static (int From, int To) Direction(SlotMigration migration, SlotProgress slot) =>
        migration.Reverse ? (migration.Target, slot.Source) : (slot.Source, migration.Target);

    private static void RequireMasters(NamespaceConfig ns, SlotMigration migration)
    {
        foreach (var group in migration.Slots.Select(static s => s.Source).Append(migration.Target).Distinct())
        {
            if (ns.Groups.FirstOrDefault(g => g.Id == group) is not { Master.Length: > 0 })
            {
                throw OperationRefusedException.Conflict($"group {group} of namespace '{ns.Name}' has no master, so slots cannot migrate to or from it; add one with `tessera group add {ns.Name} {group} host:port`");
            }
        }
    }

    private static string Describe(int slot, SlotOwner? owner) => owner switch
    {
        null => $"{slot} (unassigned)",
        { State: SlotState.Migrating } o => $"{slot} (migrating {o.Group}->{o.Target})",
        { } o => $"{slot} ({o.State.ToString().ToLowerInvariant()} at group {o.Group})",
    };
}
