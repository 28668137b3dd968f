using System.CommandLine;
using Tessera.Cli.Hosting;
using Tessera.Controller.Migration;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>
/// <c>tessera slots migrate</c> (start one), <c>tessera slots migration list|show|wait|pause|resume|cancel|throttle</c>
/// (follow and control them); <see cref="RebalanceVerb"/> starts them by plan.
/// </summary>
internal static partial class SlotsMigrateVerb
{
    public static Command Create(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var range = new Argument<SlotsVerb.SlotRange>("slots")
        {
            Description = "FROM-TO (inclusive, e.g. 0-511) or one slot (e.g. 7), within 0..1023; online slots of groups other than GROUP.",
            CustomParser = SlotsVerb.ParseRange,
        };
        var group = GroupVerb.GroupArgument();
        var wait = WaitOption();
        var throttle = new ThrottleOptions();
        var json = AdminOptions.Json();
        var command = new Command("migrate", "Move slots (and their keys) to another group while clients keep reading and writing.")
        {
            ns, range, group, wait, json,
        };
        throttle.AddTo(command);
        command.WithEpilog("""
            The slots switch to "migrating" on every proxy (two-phase): a client touching a key moves it to GROUP
            first (MIGRATE on the source master), and the controller moves the rest in the background (SCAN +
            MIGRATE ... KEYS, throttled), then the slots go online at GROUP. Progress lives in the store: a controller
            that restarts carries on. Migrations of a namespace run one at a time, in the order they were asked for.

            Examples:
              tessera slots migrate default 512-1023 2 --wait
              tessera slots migrate default 0-99 3 --keys-per-second 20000 --bytes-per-second 50000000
              tessera slots migration list default
            """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var slots = parse.GetValue(range)!;
            var started = await client.StartMigrationAsync(parse.GetValue(ns)!, slots.From, slots.To, parse.GetValue(group), throttle.Settings(parse), ct).ConfigureAwait(false);
            if (parse.GetValue(wait))
            {
                var finished = await WaitAsync(client, output, [started], parse.GetValue(json), ct).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    output.Json(finished[0]);
                }

                RequireDone(finished);
                return;
            }

            if (parse.GetValue(json))
            {
                output.Json(started);
                return;
            }

            output.Line($"migration {started.Id} queued: {Describe(started)}");
            output.Line($"  follow it with `tessera slots migration wait {started.Namespace} {started.Id}` (or `show`); pause, resume or cancel it with `tessera slots migration pause {started.Namespace} {started.Id}`");
        }, cancel));
        return command;
    }

    internal static Option<bool> WaitOption() => new("--wait")
    {
        Description = "Stay until it is done, showing progress (a bar in a terminal, a line every 2 s otherwise); exit code 1 if it ends cancelled or failed.",
    };

    /// <summary>The mover's settings on the command line: throttle, batch size and time, big-key threshold.</summary>
    internal sealed class ThrottleOptions
    {
        private readonly Option<long?> _keys = new("--keys-per-second")
        {
            Description = "Most keys the controller moves per second (0 = no limit; clients moving keys they touch are not throttled).",
            HelpName = "n",
        };

        private readonly Option<long?> _bytes = new("--bytes-per-second")
        {
            Description = "Most bytes (MEMORY USAGE) the controller moves per second (0 = no limit).",
            HelpName = "n",
        };

        private readonly Option<int?> _batch = new("--batch-keys")
        {
            Description = "Most keys per MIGRATE ... KEYS (default 100): bigger moves faster, blocks the source longer each time.",
            HelpName = "n",
        };

        private readonly Option<double?> _batchTarget = new("--batch-target-ms")
        {
            Description = "Milliseconds one MIGRATE should block the source at most: batches shrink to 10 keys when they take longer, grow back to --batch-keys (default 0 = always --batch-keys; try 1 when values are kilobytes).",
            HelpName = "ms",
        };

        private readonly Option<long?> _bigKey = new("--big-key-bytes")
        {
            Description = "Keys with a MEMORY USAGE of at least this many bytes are reported and moved alone with their own timeout (default 1048576).",
            HelpName = "bytes",
        };

        public void AddTo(Command command)
        {
            command.Add(_keys);
            command.Add(_bytes);
            command.Add(_batch);
            command.Add(_batchTarget);
            command.Add(_bigKey);
        }

        /// <summary>The settings given, or null when none was (the controller's defaults).</summary>
        public MigrationSettings? Settings(ParseResult parse)
        {
            var keys = parse.GetValue(_keys);
            var bytes = parse.GetValue(_bytes);
            var batch = parse.GetValue(_batch);
            var batchTarget = parse.GetValue(_batchTarget);
            var bigKey = parse.GetValue(_bigKey);
            if (keys is null && bytes is null && batch is null && batchTarget is null && bigKey is null)
            {
                return null;
            }

            var defaults = new MigrationSettings();
            return defaults with
            {
                KeysPerSecond = keys ?? defaults.KeysPerSecond,
                BytesPerSecond = bytes ?? defaults.BytesPerSecond,
                BatchKeys = batch ?? defaults.BatchKeys,
                BatchTargetMs = batchTarget ?? defaults.BatchTargetMs,
                BigKeyBytes = bigKey ?? defaults.BigKeyBytes,
            };
        }
    }
}
