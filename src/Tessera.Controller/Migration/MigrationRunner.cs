using Microsoft.Extensions.Logging;
using Tessera.Controller.Topology;
using Tessera.Store;

namespace Tessera.Controller.Migration;

/// <summary>
/// Carries one migration through its states on the leader (architecture §4): switch its slots to <c>migrating</c>
/// (two-phase), run a <see cref="KeyMover"/> per source group until every key has moved, switch the slots to
/// <c>online</c> at their new owner (two-phase). Each step is written to the store before the next begins and
/// each is idempotent, so a runner started on the record at any point — after a pause, by a new leader after
/// a crash — goes on from there. Returns when the migration is final or paused, or when stopped.
/// </summary>
internal sealed partial class MigrationRunner
{
    private static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly MigrationHandle _handle;
    private readonly MigrationServices _services;
    private readonly ILogger _logger;

    public MigrationRunner(MigrationHandle handle, MigrationServices services)
    {
        _handle = handle;
        _services = services;
        _logger = services.Logger;
    }

    private string Name => $"{_handle.Current.Namespace}/{_handle.Current.Id}";

    /// <param name="term">The leader's term: writes that record a step are bounded by it only.</param>
    /// <param name="stop">Ends the run (the term, a pause or a cancel).</param>
    public async Task RunAsync(CancellationToken term, CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stop.IsCancellationRequested)
        {
            var migration = _handle.Current;
            try
            {
                switch (migration.State)
                {
                    case MigrationState.Queued:
                        await BeginAsync(migration, term, stop).ConfigureAwait(false);
                        break;
                    case MigrationState.Moving:
                        await MoveAsync(migration, term, stop).ConfigureAwait(false);
                        break;
                    case MigrationState.Finishing:
                        await FinishAsync(migration, term, stop).ConfigureAwait(false);
                        break;
                    default:
                        return;
                }

                backoff = TimeSpan.FromMilliseconds(500);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (MigrationLostException e)
            {
                _logger.LogWarning("Migration {Migration}: {Problem}.", Name, e.Message);
                return;
            }
#pragma warning disable CA1031 // A migration that has begun must not stop on a surprise: the step is logged and retried.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                // A switch a proxy did not ack (rolled back), a store hiccup: the step is tried again, never half-done.
                if (e is not (OperationRefusedException or CoordinatorStoreException or MoverException))
                {
                    _logger.LogError(e, "Migration {Migration}: unexpected failure in step {Phase}.", Name, migration.Phase);
                }

                var problem = $"{migration.Phase}: {e.Message.TrimEnd('.')}; retrying in {backoff.TotalSeconds:0.#} s";
                _logger.LogWarning("Migration {Migration}: {Problem}.", Name, problem);
                await TryRecordErrorAsync(problem, term).ConfigureAwait(false);
                await Task.Delay(backoff, _services.Time, stop).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    /// <summary>Queued → Moving: the two-phase switch of the slots to migrating, or Failed when they changed meanwhile.</summary>
    private async Task BeginAsync(SlotMigration migration, CancellationToken term, CancellationToken stop)
    {
        var outcome = await SwitchToMigratingAsync(migration, stop).ConfigureAwait(false);
        if (outcome.Problem is { } problem)
        {
            _logger.LogWarning("Migration {Migration} cannot begin: {Problem}.", Name, problem);
            await _handle.UpdateAsync(
                m => m.State == MigrationState.Queued ? m with { State = MigrationState.Failed, LastError = problem, LastErrorAt = _services.Time.GetUtcNow(), FinishedAt = _services.Time.GetUtcNow() } : m,
                term).ConfigureAwait(false);
            _services.Metrics.MigrationEnded(migration.Namespace, "failed");
            return;
        }

        var now = _services.Time.GetUtcNow();
        await _handle.UpdateAsync(
            m => m.State == MigrationState.Queued
                ? m with { State = outcome.AlreadyThere ? MigrationState.Finishing : MigrationState.Moving, StartedAt = m.StartedAt ?? now, LastError = null, LastErrorAt = null }
                : m,
            term).ConfigureAwait(false);
        _logger.LogInformation("Migration {Migration}: {Count} slot(s) are migrating to group {Target}; moving their keys.", Name, migration.SlotCount, migration.Target);
    }

    /// <summary>Moving → Finishing: every source's keys moved (after making sure the slots migrate the right way).</summary>
    private async Task MoveAsync(SlotMigration migration, CancellationToken term, CancellationToken stop)
    {
        var outcome = await SwitchToMigratingAsync(migration, stop).ConfigureAwait(false);
        if (outcome.Problem is { } problem)
        {
            throw OperationRefusedException.Conflict(problem);
        }

        if (!outcome.AlreadyThere)
        {
            await MoveKeysAsync(migration, term, stop).ConfigureAwait(false);
        }

        await _handle.UpdateAsync(m => m.State == MigrationState.Moving ? m with { State = MigrationState.Finishing } : m, term).ConfigureAwait(false);
    }

    /// <summary>Finishing → Done (or Cancelled): the two-phase switch of the slots to online at their new owner.</summary>
    private async Task FinishAsync(SlotMigration migration, CancellationToken term, CancellationToken stop)
    {
        await SwitchToOnlineAsync(migration, stop).ConfigureAwait(false);
        var done = await _handle.UpdateAsync(
            m => m.State == MigrationState.Finishing
                ? m with
                {
                    State = m.Reverse ? MigrationState.Cancelled : MigrationState.Done,
                    FinishedAt = _services.Time.GetUtcNow(),
                    KeysLeft = 0,
                    Rate = 0,
                    ByteRate = 0,
                    EtaSeconds = null,
                    LastError = null,
                    LastErrorAt = null,
                    Slots = [.. m.Slots.Select(static s => s with { Left = 0 })],
                }
                : m,
            term).ConfigureAwait(false);
        if (done.IsFinal)
        {
            _services.Metrics.MigrationEnded(done.Namespace, done.State == MigrationState.Cancelled ? "cancelled" : "done");
        }

        _logger.LogInformation(
            "Migration {Migration} {Outcome}: {Count} slot(s) online at {Where}; the mover moved {Keys} key(s).",
            Name, done.State == MigrationState.Cancelled ? "cancelled" : "done", done.SlotCount, done.Reverse ? "their original groups" : $"group {done.Target}", done.KeysMoved);
    }

    /// <summary>Runs one mover per source group until all are done, saving progress every second and at the end.</summary>
    private async Task MoveKeysAsync(SlotMigration migration, CancellationToken term, CancellationToken stop)
    {
        var sources = SourcesOf(migration).Select(static s => new SourceCursor(s)).ToList();
        var progress = new MigrationProgress(migration, sources, _services.Metrics, _services.Time);
        var context = new MoverContext(
            Name,
            () => _handle.Current.Settings,
            _handle.KeyBucket,
            _handle.ByteBucket,
            progress,
            async ct => (await _services.Namespaces.RequireAsync(migration.Namespace, ct).ConfigureAwait(false)).Config,
            async ct => Servers.ServerLogin.Of((await _services.Namespaces.GetAccessAsync(migration.Namespace, ct).ConfigureAwait(false)).Access),
            _services.Time,
            _logger);

        using var moveStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var persistStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var persist = PersistLoopAsync(progress, term, moveStop, persistStop.Token);
        MigrationLostException? lost = null;
        var movers = new List<Task>();
        try
        {
            movers.AddRange(sources.Select(source =>
            {
                var moving = new bool[SlotTable.SlotCount];
                var destination = new int[SlotTable.SlotCount];
                foreach (var slot in migration.Slots)
                {
                    var from = migration.Reverse ? migration.Target : slot.Source;
                    if (from == source.Group)
                    {
                        moving[slot.Slot] = true;
                        destination[slot.Slot] = migration.Reverse ? slot.Source : migration.Target;
                    }
                }

                return new KeyMover(context, source, moving, destination).RunAsync(moveStop.Token);
            }));
            await Task.WhenAll(movers).ConfigureAwait(false);
            progress.ReportError(null);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // Only the persist loop cancels the movers on its own: it lost the record (handled below).
        }
        finally
        {
            // When one mover failed, the others stop too (the step is retried as a whole, from the saved cursors).
            await moveStop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(movers).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            await persistStop.CancelAsync().ConfigureAwait(false);
            try
            {
                await persist.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The loop ends by cancellation.
            }
            catch (MigrationLostException e)
            {
                lost = e;
            }

            // The last word on progress (cursors included), even when stopped: a later run resumes from it.
            if (lost is null && !term.IsCancellationRequested)
            {
                await _handle.UpdateAsync(progress.ApplyTo, term).ConfigureAwait(false);
            }
        }

        if (lost is not null)
        {
            throw lost;
        }
    }

    /// <summary>Saves progress every second; when the record was changed by someone else, stops the movers.</summary>
    private async Task PersistLoopAsync(MigrationProgress progress, CancellationToken term, CancellationTokenSource movers, CancellationToken stop)
    {
        while (true)
        {
            await Task.Delay(PersistInterval, _services.Time, stop).ConfigureAwait(false);
            try
            {
                await _handle.UpdateAsync(progress.ApplyTo, term).ConfigureAwait(false);
            }
            catch (MigrationLostException)
            {
                await movers.CancelAsync().ConfigureAwait(false);
                throw;
            }
            catch (CoordinatorStoreException e)
            {
                _logger.LogWarning("Migration {Migration}: saving progress failed ({Problem}); the mover goes on and saves again in a second.", Name, e.Message);
            }
        }
    }

    /// <summary>The sources as saved, or fresh ones: each slot's original group, or the target when moving back.</summary>
    private static IReadOnlyList<SourceProgress> SourcesOf(SlotMigration migration)
    {
        if (migration.Sources.Count > 0)
        {
            return migration.Sources;
        }

        return migration.Reverse
            ? [new SourceProgress { Group = migration.Target }]
            : [.. migration.Slots.Select(static s => s.Source).Distinct().Order().Select(static g => new SourceProgress { Group = g })];
    }

    private async Task TryRecordErrorAsync(string problem, CancellationToken term)
    {
        try
        {
            await _handle.UpdateAsync(m => m with { LastError = problem, LastErrorAt = _services.Time.GetUtcNow() }, term).ConfigureAwait(false);
        }
        catch (CoordinatorStoreException)
        {
            // The store is what failed; the retry will record the next problem.
        }
    }
}
