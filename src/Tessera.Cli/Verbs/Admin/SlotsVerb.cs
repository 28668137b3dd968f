using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera slots assign|show</c>.</summary>
internal static class SlotsVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        return new Command("slots", "Assign a namespace's slots (0..1023) to groups and show the slot table.")
        {
            controller,
            AssignVerb(controller),
            ShowVerb(controller),
            SlotsMigrateVerb.Create(controller), SlotsMigrateVerb.CreateMigration(controller), RebalanceVerb.Create(controller),
        }.WithEpilog("""
            Examples:
              tessera slots assign default 0-511 1
              tessera slots assign default 512-1023 2
              tessera slots show default
            """);
    }

    private static Command AssignVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var range = new Argument<SlotRange>("slots")
        {
            Description = "FROM-TO (inclusive, e.g. 0-511) or one slot (e.g. 7), within 0..1023.",
            CustomParser = ParseRange,
        };
        var group = GroupVerb.GroupArgument();
        var json = AdminOptions.Json();
        var command = new Command("assign", "Give unassigned slots to a group (the group needs a master). Proxies pick the change up at once.") { ns, range, group, json }
            .WithEpilog("""
                Only unassigned slots: moving slots that a group already serves is a migration.

                Example (two groups sharing the namespace evenly):
                  tessera slots assign default 0-511 1
                  tessera slots assign default 512-1023 2
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var slots = parse.GetValue(range)!;
            AdminRun.WriteChange(output, await client.AssignSlotsAsync(parse.GetValue(ns)!, slots.From, slots.To, parse.GetValue(group), ct).ConfigureAwait(false), parse.GetValue(json));
        }, cancel));
        return command;
    }

    private static Command ShowVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var json = AdminOptions.Json();
        var command = new Command("show", "Show a namespace's slot table: ranges with their group and state, gaps, slots per group.") { ns, json }
            .WithEpilog("""
                Example:
                  tessera slots show default
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var view = await client.GetSlotsAsync(parse.GetValue(ns)!, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(view);
                return;
            }

            output.Line($"Namespace {view.Namespace}, epoch {view.Epoch}");
            if (view.Ranges.Count > 0)
            {
                output.Table(
                    ["SLOTS", "COUNT", "GROUP", "STATE", "TARGET"],
                    view.Ranges.Select(static r => (IReadOnlyList<string>)
                    [
                        Invariant($"{r.From}-{r.To}"),
                        Invariant($"{r.To - r.From + 1}"),
                        Invariant($"{r.Group}"),
                        r.State.ToString().ToLowerInvariant(),
                        r.Target is { } target ? Invariant($"{target}") : "",
                    ]));
            }

            output.Line(view.Unassigned.Count == 0
                ? "Every slot is assigned."
                : $"Unassigned: {string.Join(", ", view.Unassigned.Select(static s => s.From == s.To ? Invariant($"{s.From}") : Invariant($"{s.From}-{s.To}")))} ({view.Unassigned.Sum(static s => s.To - s.From + 1)} slots)");
            if (view.Groups.Count > 0)
            {
                output.Line("Slots per group: " + string.Join(", ", view.Groups.Select(static g => Invariant($"{g.Group}: {g.Slots}"))));
            }
        }, cancel));
        return command;
    }

    /// <summary>"FROM-TO" or "N"; adds a parse error naming the expected form otherwise.</summary>
    internal static SlotRange? ParseRange(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var fromText = dash < 0 ? text : text[..dash];
        var toText = dash < 0 ? text : text[(dash + 1)..];
        if (int.TryParse(fromText, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            && int.TryParse(toText, NumberStyles.None, CultureInfo.InvariantCulture, out var to)
            && from <= to && to <= 1023)
        {
            return new SlotRange(from, to);
        }

        result.AddError($"'{text}' is not a slot range: write FROM-TO within 0..1023 with FROM <= TO (e.g. 0-511), or a single slot (e.g. 7)");
        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Slots <see cref="From"/>..<see cref="To"/> as given on the command line.</summary>
    internal sealed record SlotRange(int From, int To);
}
