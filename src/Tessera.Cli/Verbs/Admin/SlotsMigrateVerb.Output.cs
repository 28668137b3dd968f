using System.Globalization;
using Spectre.Console;
using Tessera.Controller.Api;
using Tessera.Controller.Migration;

namespace Tessera.Cli.Verbs.Admin;

/// <remarks>Waiting with progress, and how migrations print.</remarks>
internal static partial class SlotsMigrateVerb
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Polls the migrations until every one is final: a Spectre progress bar per migration in a terminal, a line
    /// per migration every 2 s otherwise (nothing in JSON mode). Returns them as they ended.
    /// </summary>
    internal static async Task<IReadOnlyList<SlotMigration>> WaitAsync(ControllerClient client, AdminOutput output, IReadOnlyList<SlotMigration> migrations, bool json, CancellationToken cancellationToken)
    {
        var latest = migrations.ToList();
        if (output.IsTerminal && !json)
        {
            await AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var tasks = latest.Select(m => progress.AddTask(Markup.Escape(BarLine(m)), maxValue: 1)).ToList();
                    while (true)
                    {
                        await RefreshAsync(client, latest, cancellationToken).ConfigureAwait(false);
                        for (var i = 0; i < latest.Count; i++)
                        {
                            tasks[i].Description = Markup.Escape(BarLine(latest[i]));
                            tasks[i].Value = Fraction(latest[i]);
                            if (latest[i].IsFinal)
                            {
                                tasks[i].StopTask();
                            }
                        }

                        if (latest.All(static m => m.IsFinal))
                        {
                            return;
                        }

                        await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            return latest;
        }

        var lastPrinted = DateTime.MinValue;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            await RefreshAsync(client, latest, cancellationToken).ConfigureAwait(false);
            var due = DateTime.UtcNow - lastPrinted >= PlainInterval;
            foreach (var migration in latest)
            {
                if (!json && ((migration.IsFinal && reported.Add(migration.Id)) || (!migration.IsFinal && due)))
                {
                    output.Line(Line(migration));
                }
            }

            if (due)
            {
                lastPrinted = DateTime.UtcNow;
            }

            if (latest.All(static m => m.IsFinal))
            {
                return latest;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Exit code 1 (through the error line) unless every migration is done.</summary>
    internal static void RequireDone(IReadOnlyList<SlotMigration> migrations)
    {
        var bad = migrations.Where(static m => m.State != MigrationState.Done).ToList();
        if (bad.Count > 0)
        {
            throw new ControllerApiException(string.Join("; ", bad.Select(static m => $"migration {m.Id} ended {m.Phase}{(m.LastError is null ? "" : $": {m.LastError}")}")));
        }
    }

    /// <summary>"slots 0-511 (512) from group 1 to group 2".</summary>
    internal static string Describe(SlotMigration migration)
    {
        var ranges = string.Join(",", migration.Ranges.Select(static r => r.From == r.To ? Invariant($"{r.From}") : Invariant($"{r.From}-{r.To}")));
        var sources = string.Join(",", migration.Slots.Select(static s => s.Source).Distinct().Order());
        return Invariant($"slots {ranges} ({migration.SlotCount}) from group {sources} to group {migration.Target}");
    }

    /// <summary>One line of progress: "m000001 moving, slots …: 1,234 keys moved, ~5,678 left, 9,000 keys/s, ETA 1 s".</summary>
    internal static string Line(SlotMigration migration)
    {
        var text = $"{migration.Id} {migration.Phase}, {Describe(migration)}: {Count(migration.KeysMoved)} keys moved";
        if (!migration.IsFinal)
        {
            text += migration.KeysLeft is { } left ? $", ~{Count(left)} left" : "";
            text += Invariant($", {migration.Rate:#,0} keys/s");
            text += migration.EtaSeconds is { } eta ? $", ETA {Duration(eta)}" : "";
        }

        var big = migration.BigKeys.Count;
        text += big > 0 ? Invariant($", {big} big key(s)") : "";
        return migration.LastError is { } error && !migration.IsFinal ? $"{text} (last problem: {error})" : text;
    }

    /// <summary>The shorter text beside a progress bar: "m000001 512-1023 1→2 moving: 1,234 moved, ~5,678 left, 9,000 keys/s, ETA 1 s".</summary>
    private static string BarLine(SlotMigration migration)
    {
        var ranges = string.Join(",", migration.Ranges.Select(static r => r.From == r.To ? Invariant($"{r.From}") : Invariant($"{r.From}-{r.To}")));
        var sources = string.Join(",", migration.Slots.Select(static s => s.Source).Distinct().Order());
        var text = Invariant($"{migration.Id} {ranges} {sources}→{migration.Target} {migration.Phase}: {Count(migration.KeysMoved)} moved");
        if (!migration.IsFinal)
        {
            text += migration.KeysLeft is { } left ? $", ~{Count(left)} left" : "";
            text += Invariant($", {migration.Rate:#,0} keys/s");
            text += migration.EtaSeconds is { } eta ? $", ETA {Duration(eta)}" : "";
        }

        return text;
    }

    /// <summary>The list table.</summary>
    internal static void WriteList(AdminOutput output, IReadOnlyList<SlotMigration> migrations, string indent = "")
    {
        output.Table(
            ["ID", "NAMESPACE", "SLOTS", "FROM", "TO", "STATE", "MOVED", "LEFT", "KEYS/S", "ETA", "PROBLEM"],
            migrations.Select(static m => (IReadOnlyList<string>)
            [
                m.Id,
                m.Namespace,
                string.Join(",", m.Ranges.Select(static r => r.From == r.To ? Invariant($"{r.From}") : Invariant($"{r.From}-{r.To}"))),
                string.Join(",", m.Slots.Select(static s => s.Source).Distinct().Order()),
                Invariant($"{m.Target}"),
                m.Phase,
                Count(m.KeysMoved),
                m.IsFinal ? "" : m.KeysLeft is { } left ? Count(left) : "?",
                m.IsFinal ? "" : Invariant($"{m.Rate:#,0}"),
                m.IsFinal || m.EtaSeconds is not { } eta ? "" : Duration(eta),
                m.IsFinal && m.State == MigrationState.Done ? "" : m.LastError ?? "",
            ]),
            indent);
    }

    /// <summary>The migrations section of <c>tessera status</c>: unfinished ones with their progress.</summary>
    internal static void WriteStatus(AdminOutput output, IReadOnlyList<SlotMigration> migrations)
    {
        var unfinished = migrations.Where(static m => !m.IsFinal).ToList();
        output.Line();
        output.Line(Invariant($"Migrations: {unfinished.Count} unfinished, {migrations.Count - unfinished.Count} finished (`tessera slots migration list` shows all)"));
        if (unfinished.Count > 0)
        {
            WriteList(output, unfinished, "  ");
        }
    }

    /// <summary>Everything about one migration; per-slot rows with <paramref name="slots"/>.</summary>
    internal static void WriteDetail(AdminOutput output, SlotMigration m, bool slots)
    {
        output.Line($"Migration {m.Id} of namespace {m.Namespace} ({m.Origin}): {m.Phase}, {Describe(m)}");
        if (m.IsFinal && m.StartedAt is { } began && m.FinishedAt is { } ended)
        {
            var seconds = Math.Max(0.001, (ended - began).TotalSeconds);
            output.Line($"  keys moved by the controller {Count(m.KeysMoved)} ({Bytes(m.BytesMoved)}) in {Duration(seconds)}: {Count((long)(m.KeysMoved / seconds))} keys/s on average");
        }
        else
        {
            output.Line($"  keys moved {Count(m.KeysMoved)} ({Bytes(m.BytesMoved)}), left {(m.KeysLeft is { } left ? "~" + Count(left) : "unknown yet")}, {Invariant($"{m.Rate:#,0}")} keys/s ({Bytes((long)m.ByteRate)}/s), ETA {(m.EtaSeconds is { } eta ? Duration(eta) : "unknown")}");
        }

        var s = m.Settings;
        output.Line($"  throttle {(s.KeysPerSecond == 0 ? "none" : Count(s.KeysPerSecond) + " keys/s")}, {(s.BytesPerSecond == 0 ? "none" : Bytes(s.BytesPerSecond) + "/s")}; batches of {(s.BatchTargetMs > 0 ? $"up to {s.BatchKeys} keys, {s.BatchTargetMs.ToString("0.###", CultureInfo.InvariantCulture)} ms each" : $"{s.BatchKeys} keys")}; big keys from {Bytes(s.BigKeyBytes)} (timeout {s.BigKeyTimeoutMs} ms)");
        output.Line($"  created {m.CreatedAt:u}{(m.StartedAt is { } started ? $", started {started:u}" : "")}{(m.FinishedAt is { } finished ? $", finished {finished:u}" : "")}");
        if (m.LastError is { } error)
        {
            output.Line($"  last problem ({m.LastErrorAt:u}): {error}");
        }

        if (m.Sources.Count > 0)
        {
            output.Table(
                ["SOURCE GROUP", "MASTER", "PASS", "SCANNED", "FAILED", "DONE"],
                m.Sources.Select(static x => (IReadOnlyList<string>)[Invariant($"{x.Group}"), x.Master ?? "", Invariant($"{x.Pass}"), Count(x.Scanned), Count(x.PassFailures), x.Done ? "yes" : "no"]),
                "  ");
        }

        if (m.BigKeys.Count > 0)
        {
            output.Table(
                ["BIG KEY", "SLOT", "BYTES", "STATE", "MS", "ERROR"],
                m.BigKeys.Select(static k => (IReadOnlyList<string>)[k.Key, Invariant($"{k.Slot}"), Count(k.Bytes), k.State, k.Milliseconds is { } ms ? Invariant($"{ms:0.#}") : "", k.Error ?? ""]),
                "  ");
        }

        if (slots)
        {
            output.Table(
                ["SLOT", "SOURCE", "MOVED", "LEFT"],
                m.Slots.Select(static x => (IReadOnlyList<string>)[Invariant($"{x.Slot}"), Invariant($"{x.Source}"), Count(x.Moved), x.Left is { } l ? Count(l) : "?"]),
                "  ");
        }
    }

    private static double Fraction(SlotMigration migration) => migration.State switch
    {
        MigrationState.Done or MigrationState.Cancelled or MigrationState.Finishing => 1,
        _ when migration.KeysLeft is { } left && migration.KeysMoved + left > 0 => (double)migration.KeysMoved / (migration.KeysMoved + left),
        _ => 0,
    };

    private static async Task RefreshAsync(ControllerClient client, List<SlotMigration> latest, CancellationToken cancellationToken)
    {
        for (var i = 0; i < latest.Count; i++)
        {
            if (!latest[i].IsFinal)
            {
                latest[i] = await client.GetMigrationAsync(latest[i].Namespace, latest[i].Id, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => Invariant($"{bytes / (double)(1L << 30):0.#} GB"),
        >= 1L << 20 => Invariant($"{bytes / (double)(1L << 20):0.#} MB"),
        >= 1L << 10 => Invariant($"{bytes / 1024.0:0.#} KB"),
        _ => Invariant($"{bytes} B"),
    };

    private static string Duration(double seconds) =>
        seconds >= 3600 ? Invariant($"{seconds / 3600:0.#} h") : seconds >= 60 ? Invariant($"{seconds / 60:0.#} min") : Invariant($"{seconds:0.#} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
