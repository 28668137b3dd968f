using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Tessera.Cli.Hosting;
using Tessera.Controller.Rebalance;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera slots rebalance</c>: even out a namespace's slots over its groups, as migrations.</summary>
internal static class RebalanceVerb
{
    public static Command Create(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only print the plan." };
        var weights = new Option<Dictionary<int, double>>("--weight")
        {
            Description = "GROUP=WEIGHT, repeatable: relative share of a group (default 1; 0 empties it), e.g. --weight 3=2.",
            HelpName = "group=weight",
            AllowMultipleArgumentsPerToken = false,
            CustomParser = ParseWeights,
        };
        var wait = SlotsMigrateVerb.WaitOption();
        var throttle = new SlotsMigrateVerb.ThrottleOptions();
        var json = AdminOptions.Json();
        var command = new Command("rebalance", "Even out the slots over the namespace's groups (by weight) with the fewest moves, run as migrations.")
        {
            ns, dryRun, weights, wait, json,
        };
        throttle.AddTo(command);
        command.WithEpilog("""
            The plan is printed before anything moves: each group's share now and wanted, and the slot ranges that
            move. Only a group's surplus moves, so the number of slots moved is the least possible. The moves are
            queued as migrations (one per receiving group) that run one after the other; follow them with
            `tessera slots migration list NAMESPACE`.

            Examples:
              tessera group create default 3 && tessera group add default 3 127.0.0.1:7005
              tessera slots rebalance default --dry-run
              tessera slots rebalance default --wait
              tessera slots rebalance default --weight 3=2 --keys-per-second 50000
            """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var request = new RebalanceRequest
            {
                DryRun = parse.GetValue(dryRun),
                Weights = parse.GetValue(weights)?.ToDictionary(static w => w.Key.ToString(CultureInfo.InvariantCulture), static w => w.Value),
                Settings = throttle.Settings(parse),
            };
            var result = await client.RebalanceAsync(parse.GetValue(ns)!, request, ct).ConfigureAwait(false);
            var asJson = parse.GetValue(json);
            if (!asJson)
            {
                WritePlan(output, result.Plan, result.DryRun);
            }

            if (result.Migrations.Count == 0 || !parse.GetValue(wait))
            {
                if (asJson)
                {
                    output.Json(result);
                }
                else
                {
                    foreach (var migration in result.Migrations)
                    {
                        output.Line($"migration {migration.Id} queued: {SlotsMigrateVerb.Describe(migration)}");
                    }
                }

                return;
            }

            var finished = await SlotsMigrateVerb.WaitAsync(client, output, result.Migrations, asJson, ct).ConfigureAwait(false);
            if (asJson)
            {
                output.Json(result with { Migrations = finished });
            }

            SlotsMigrateVerb.RequireDone(finished);
        }, cancel));
        return command;
    }

    private static void WritePlan(AdminOutput output, RebalancePlan plan, bool dryRun)
    {
        output.Line(string.Create(CultureInfo.InvariantCulture, $"Rebalance of namespace {plan.Namespace} (epoch {plan.Epoch}, {plan.AssignedSlots} assigned slots):"));
        output.Table(
            ["GROUP", "WEIGHT", "SLOTS NOW", "SLOTS WANTED"],
            plan.Groups.Select(static g => (IReadOnlyList<string>)
            [
                g.Group.ToString(CultureInfo.InvariantCulture),
                g.Weight.ToString("0.##", CultureInfo.InvariantCulture),
                g.Slots.ToString(CultureInfo.InvariantCulture),
                g.Wanted.ToString(CultureInfo.InvariantCulture),
            ]),
            "  ");
        if (plan.Moves.Count == 0)
        {
            output.Line("  Already even: nothing to move.");
            return;
        }

        output.Table(
            ["MOVE SLOTS", "COUNT", "FROM GROUP", "TO GROUP"],
            plan.Moves.Select(static m => (IReadOnlyList<string>)
            [
                string.Create(CultureInfo.InvariantCulture, $"{m.From}-{m.To}"),
                (m.To - m.From + 1).ToString(CultureInfo.InvariantCulture),
                m.Source.ToString(CultureInfo.InvariantCulture),
                m.Target.ToString(CultureInfo.InvariantCulture),
            ]),
            "  ");
        output.Line(string.Create(CultureInfo.InvariantCulture, $"  {plan.SlotsMoved} slot(s) move{(dryRun ? " (dry run: nothing was started)" : "")}."));
    }

    /// <summary>GROUP=WEIGHT tokens; a parse error naming the expected form otherwise.</summary>
    private static Dictionary<int, double>? ParseWeights(ArgumentResult result)
    {
        var weights = new Dictionary<int, double>();
        foreach (var token in result.Tokens)
        {
            var parts = token.Value.Split('=', 2);
            if (parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var group) && group > 0
                && double.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var weight) && weight >= 0)
            {
                weights[group] = weight;
                continue;
            }

            result.AddError($"'{token.Value}' is not GROUP=WEIGHT: write e.g. --weight 2=1.5 (group id, then a weight of 0 or more)");
            return null;
        }

        return weights;
    }
}
