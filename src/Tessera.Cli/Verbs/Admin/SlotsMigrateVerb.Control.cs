using System.CommandLine;
using Tessera.Cli.Hosting;
using Tessera.Controller.Migration;

namespace Tessera.Cli.Verbs.Admin;

/// <remarks><c>tessera slots migration list|show|wait|pause|resume|cancel|throttle</c>.</remarks>
internal static partial class SlotsMigrateVerb
{
    public static Command CreateMigration(Option<Uri> controller) =>
        new Command("migration", "Follow and control slot migrations: list, show, wait, pause, resume, cancel, throttle.")
        {
            ListVerb(controller),
            ShowVerb(controller),
            WaitVerb(controller),
            ControlVerb(controller, "pause", "Stop moving keys at the next batch; the slots stay migrating (clients still move the keys they touch)."),
            ControlVerb(controller, "resume", "Go on moving keys from where the migration was paused."),
            ControlVerb(controller, "cancel", "Turn the migration around: keys already moved go back, and the slots end online at their original groups."),
            ThrottleVerb(controller),
        }.WithEpilog("""
            Examples:
              tessera slots migration list default
              tessera slots migration show default m000001 --slots
              tessera slots migration wait default m000001
              tessera slots migration pause default            every unfinished migration of the namespace
              tessera slots migration throttle default m000001 --keys-per-second 10000
              tessera slots migration cancel default m000001
            """);

    private static Argument<string> IdArgument(bool optional) => new("id")
    {
        Description = optional ? "Migration id (e.g. m000001); every unfinished migration of the namespace when left out." : "Migration id, e.g. m000001.",
        Arity = optional ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
    };

    private static Command ListVerb(Option<Uri> controller)
    {
        var ns = new Argument<string?>("namespace") { Description = "Namespace; every namespace when left out.", Arity = ArgumentArity.ZeroOrOne };
        var json = AdminOptions.Json();
        var command = new Command("list", "List migrations (oldest first) with their state and progress.") { ns, json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var migrations = await client.ListMigrationsAsync(parse.GetValue(ns), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(migrations);
            }
            else if (migrations.Count == 0)
            {
                output.Line("No migrations yet: start one with `tessera slots migrate NAMESPACE FROM-TO GROUP` or `tessera slots rebalance NAMESPACE`.");
            }
            else
            {
                WriteList(output, migrations);
            }
        }, cancel));
        return command;
    }

    private static Command ShowVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var id = IdArgument(optional: false);
        var slots = new Option<bool>("--slots") { Description = "Also list every slot with its source, keys moved and keys left." };
        var json = AdminOptions.Json();
        var command = new Command("show", "Show one migration: progress, rate, ETA, sources, big keys (and per slot with --slots).") { ns, id, slots, json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var migration = await client.GetMigrationAsync(parse.GetValue(ns)!, parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(migration);
                return;
            }

            WriteDetail(output, migration, parse.GetValue(slots));
        }, cancel));
        return command;
    }

    private static Command WaitVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var id = IdArgument(optional: true);
        var json = AdminOptions.Json();
        var command = new Command("wait", "Wait until a migration (or all unfinished ones) ends, showing progress; exit code 1 unless done.") { ns, id, json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var name = parse.GetValue(ns)!;
            IReadOnlyList<SlotMigration> migrations = parse.GetValue(id) is { } one
                ? [await client.GetMigrationAsync(name, one, ct).ConfigureAwait(false)]
                : [.. (await client.ListMigrationsAsync(name, ct).ConfigureAwait(false)).Where(static m => !m.IsFinal)];
            if (migrations.Count == 0)
            {
                output.Line($"Namespace {name} has no unfinished migration.");
                return;
            }

            var finished = await WaitAsync(client, output, migrations, parse.GetValue(json), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(finished);
            }

            RequireDone(finished);
        }, cancel));
        return command;
    }

    private static Command ControlVerb(Option<Uri> controller, string action, string description)
    {
        var ns = NamespaceVerb.NameArgument();
        var id = IdArgument(optional: true);
        var json = AdminOptions.Json();
        var command = new Command(action, description) { ns, id, json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var results = await client.ControlMigrationAsync(parse.GetValue(ns)!, parse.GetValue(id) ?? MigrationControlRequest.AllMigrations, new MigrationControlRequest { Action = action }, ct).ConfigureAwait(false);
            WriteControl(output, results, parse.GetValue(json));
        }, cancel));
        return command;
    }

    private static Command ThrottleVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var id = IdArgument(optional: true);
        var keys = new Option<long?>("--keys-per-second") { Description = "Most keys moved per second (0 = no limit).", HelpName = "n" };
        var bytes = new Option<long?>("--bytes-per-second") { Description = "Most bytes moved per second (0 = no limit).", HelpName = "n" };
        var json = AdminOptions.Json();
        var command = new Command("throttle", "Change how fast the controller moves keys, also while it runs.") { ns, id, keys, bytes, json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var request = new MigrationControlRequest { Action = "throttle", KeysPerSecond = parse.GetValue(keys), BytesPerSecond = parse.GetValue(bytes) };
            var results = await client.ControlMigrationAsync(parse.GetValue(ns)!, parse.GetValue(id) ?? MigrationControlRequest.AllMigrations, request, ct).ConfigureAwait(false);
            WriteControl(output, results, parse.GetValue(json));
        }, cancel));
        return command;
    }

    private static void WriteControl(AdminOutput output, IReadOnlyList<SlotMigration> results, bool json)
    {
        if (json)
        {
            output.Json(results);
            return;
        }

        foreach (var migration in results)
        {
            output.Line(Line(migration));
        }
    }
}
