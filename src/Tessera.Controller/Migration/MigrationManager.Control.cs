using Microsoft.Extensions.Logging;
using Tessera.Controller.Topology;
using Tessera.Model.Topology;

namespace Tessera.Controller.Migration;

/// <remarks>Pause, resume, cancel and throttle.</remarks>
internal sealed partial class MigrationManager
{
    /// <summary>
    /// Applies <paramref name="request"/> to migration <paramref name="id"/> of <paramref name="ns"/>, or to every
    /// unfinished one for <see cref="MigrationControlRequest.AllMigrations"/>; the migrations as they are afterwards.
    /// </summary>
    public async Task<IReadOnlyList<SlotMigration>> ControlAsync(string ns, string id, MigrationControlRequest request, CancellationToken requestAborted)
    {
        var valid = NamespaceRepository.ValidateName(ns);
        var action = request.Action?.Trim().ToLowerInvariant();
        if (action is not ("pause" or "resume" or "cancel" or "throttle"))
        {
            throw OperationRefusedException.BadRequest($"'{request.Action}' is not a migration action: use pause, resume, cancel or throttle (with keysPerSecond and/or bytesPerSecond)");
        }

        if (action == "throttle" && request.KeysPerSecond is null && request.BytesPerSecond is null)
        {
            throw OperationRefusedException.BadRequest("throttle needs keysPerSecond and/or bytesPerSecond (0 = no limit), e.g. {\"action\": \"throttle\", \"keysPerSecond\": 20000}");
        }

        var term = _election.Term ?? throw _services.Operations.Standby();
        IReadOnlyList<StoredMigration> targets;
        if (string.Equals(id, MigrationControlRequest.AllMigrations, StringComparison.Ordinal))
        {
            targets = [.. (await _services.Migrations.ListAsync(valid, requestAborted).ConfigureAwait(false)).Where(static s => !s.Migration.IsFinal)];
            if (targets.Count == 0)
            {
                throw OperationRefusedException.NotFound($"namespace '{valid}' has no unfinished migration to {action}; list them with `tessera slots migration list {valid}`");
            }
        }
        else
        {
            targets = [await _services.Migrations.RequireAsync(valid, MigrationRepository.ValidateId(id), requestAborted).ConfigureAwait(false)];
        }

        var results = new List<SlotMigration>();
        foreach (var stored in targets)
        {
            var handle = HandleFor(stored, term);
            results.Add(action switch
            {
                "pause" => await PauseAsync(handle, term).ConfigureAwait(false),
                "resume" => await ResumeOneAsync(handle, term).ConfigureAwait(false),
                "cancel" => await CancelAsync(handle, term, requestAborted).ConfigureAwait(false),
                _ => await handle.UpdateAsync(m => m with { Settings = m.Settings.WithThrottle(request.KeysPerSecond, request.BytesPerSecond).Validate() }, term).ConfigureAwait(false),
            });
        }

        Kick(valid, term);
        return results;
    }

    /// <summary>Stops the mover at the next batch; slots stay migrating (clients still move keys they touch).</summary>
    private async Task<SlotMigration> PauseAsync(MigrationHandle handle, CancellationToken term)
    {
        var current = handle.Current;
        switch (current.State)
        {
            case MigrationState.Paused:
                return current;
            case MigrationState.Finishing:
                throw OperationRefusedException.Conflict($"migration {Describe(current)} is finishing: every key has moved and its slots are switching to online; it is done in a moment");
            case MigrationState.Queued or MigrationState.Moving:
                break;
            default:
                throw Final(current);
        }

        var paused = await handle.UpdateAsync(m => m.State is MigrationState.Queued or MigrationState.Moving ? m with { State = MigrationState.Paused } : m, term).ConfigureAwait(false);
        handle.RunStop?.Cancel();
        _logger.LogInformation("Migration {Migration} paused.", Describe(paused));
        return paused;
    }

    private async Task<SlotMigration> ResumeOneAsync(MigrationHandle handle, CancellationToken term)
    {
        var current = handle.Current;
        if (current.State != MigrationState.Paused)
        {
            return current.IsFinal ? throw Final(current) : current;
        }

        // One that was paused before its slots switched goes through the (idempotent) switch again.
        var resumed = await handle.UpdateAsync(
            m => m.State == MigrationState.Paused ? m with { State = m.StartedAt is null ? MigrationState.Queued : MigrationState.Moving } : m,
            term).ConfigureAwait(false);
        _logger.LogInformation("Migration {Migration} resumed.", Describe(resumed));
        return resumed;
    }

    /// <summary>
    /// Stops the mover and turns the migration around: keys already moved go back to their source and the slots
    /// end online there. One whose slots never switched is simply cancelled.
    /// </summary>
    private async Task<SlotMigration> CancelAsync(MigrationHandle handle, CancellationToken term, CancellationToken requestAborted)
    {
        var current = handle.Current;
        if (current.Reverse && !current.IsFinal)
        {
            return current;
        }

        RefuseCancel(current);
        await handle.ControlLock.WaitAsync(requestAborted).ConfigureAwait(false);
        try
        {
            // No runner may be active while the direction flips: one still moving keys forward would strand them.
            handle.RunStop?.Cancel();
            await handle.Running.WaitAsync(requestAborted).ConfigureAwait(false);
            current = handle.Current;
            RefuseCancel(current);
            var ns = await _services.Namespaces.RequireAsync(current.Namespace, term).ConfigureAwait(false);
            var slots = SlotTable.Expand(ns.Config.Slots);
            var untouched = current.Slots.All(s => slots[s.Slot] is { State: SlotState.Online } o && o.Group == s.Source);
            var now = _services.Time.GetUtcNow();
            var cancelled = await handle.UpdateAsync(
                m => untouched
                    ? m with { State = MigrationState.Cancelled, Reverse = true, FinishedAt = now, Rate = 0, ByteRate = 0, EtaSeconds = null, LastError = null, LastErrorAt = null }
                    : m with
                    {
                        State = MigrationState.Moving,
                        Reverse = true,
                        StartedAt = m.StartedAt ?? now,
                        Sources = [],
                        Slots = [.. m.Slots.Select(static s => s with { Moved = 0, Left = null })],
                        KeysLeft = null,
                        Rate = 0,
                        ByteRate = 0,
                        EtaSeconds = null,
                        LastError = null,
                        LastErrorAt = null,
                    },
                term).ConfigureAwait(false);
            if (cancelled.IsFinal)
            {
                _services.Metrics.MigrationEnded(cancelled.Namespace, "cancelled");
            }

            _logger.LogInformation(
                untouched ? "Migration {Migration} cancelled before its slots switched." : "Migration {Migration} cancelled: moving its keys back.",
                Describe(cancelled));
            return cancelled;
        }
        finally
        {
            handle.ControlLock.Release();
        }
    }

    private static void RefuseCancel(SlotMigration migration)
    {
        if (migration.IsFinal)
        {
            throw Final(migration);
        }

        if (migration.State == MigrationState.Finishing)
        {
            throw OperationRefusedException.Conflict(
                $"migration {Describe(migration)} is finishing: every key has moved and its slots are switching to online at group {migration.Target}; to undo it, migrate them back once it is done");
        }
    }

    private static OperationRefusedException Final(SlotMigration migration) =>
        OperationRefusedException.Conflict($"migration {Describe(migration)} is {migration.State.ToString().ToLowerInvariant()}; nothing more happens to it (start a new one with `tessera slots migrate`)");

    private static string Describe(SlotMigration migration) => $"{migration.Namespace}/{migration.Id}";
}
