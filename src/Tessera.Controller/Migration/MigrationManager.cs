using Microsoft.Extensions.Logging;
using Tessera.Controller.Election;
using Tessera.Controller.Metrics;
using Tessera.Controller.Operations;
using Tessera.Controller.Pushes;
using Tessera.Controller.Topology;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Store;

namespace Tessera.Controller.Migration;

/// <summary>
/// Slot migrations on this controller: records new ones (validated, then queued), runs them on the leader one
/// namespace at a time in the order they were asked for, and answers pause, resume, cancel and throttle. All
/// state lives in the store; on election the new leader picks up every unfinished migration where its record
/// says it was (<see cref="ResumeAsync"/>).
/// </summary>
/// <remarks>
/// Per namespace one worker task runs the first runnable migration (queued, moving or finishing; paused ones
/// wait) until it is final or paused, then the next. Everything a term starts ends with the term: workers and
/// runners are cancelled by its token, and the handles of a term are dropped when the next one begins.
/// </remarks>
internal sealed partial class MigrationManager : IAsyncDisposable
{
    private readonly MigrationServices _services;
    private readonly LeaderElection _election;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private Dictionary<(string Ns, string Id), MigrationHandle> _handles = [];
    private CancellationToken _handlesTerm;

    public MigrationManager(MigrationServices services, LeaderElection election)
    {
        _services = services;
        _election = election;
        _logger = services.Logger;
    }

    /// <summary>What migrations use from the rest of the controller (rebalancing plans with the same).</summary>
    public MigrationServices Services => _services;

    /// <summary>The manager of a controller, over its store and route switch.</summary>
    public static MigrationManager Create(ICoordinatorStore store, NamespaceRepository namespaces, SlotSwitch slotSwitch, TopologyOperations operations, LeaderElection election, ControllerMetrics metrics, TimeProvider time, ILogger logger) =>
        new(new MigrationServices(new MigrationRepository(store), namespaces, slotSwitch, operations, metrics, time, logger), election);

    private sealed class Worker(CancellationToken term)
    {
        /// <summary>The term the worker runs under; it ends with it.</summary>
        public CancellationToken Term { get; } = term;

        public Task Task { get; set; } = Task.CompletedTask;

        public bool Pending { get; set; }
    }

    /// <summary>Every migration of <paramref name="ns"/> (every namespace when null), oldest first, as stored.</summary>
    public async Task<IReadOnlyList<SlotMigration>> ListAsync(string? ns, CancellationToken cancellationToken)
    {
        var stored = ns is null
            ? await _services.Migrations.ListAllAsync(cancellationToken).ConfigureAwait(false)
            : await _services.Migrations.ListAsync(NamespaceRepository.ValidateName(ns), cancellationToken).ConfigureAwait(false);
        return [.. stored.Select(static s => s.Migration)];
    }

    /// <summary>One migration as stored; 404 when there is none.</summary>
    public async Task<SlotMigration> GetAsync(string ns, string id, CancellationToken cancellationToken) =>
        (await _services.Migrations.RequireAsync(NamespaceRepository.ValidateName(ns), MigrationRepository.ValidateId(id), cancellationToken).ConfigureAwait(false)).Migration;

    /// <summary>
    /// Records a migration of slots <paramref name="from"/>..<paramref name="to"/> to <paramref name="target"/> and
    /// queues it. The slots must be assigned, online, owned by groups other than the target, and in no other
    /// unfinished migration; the target must have a master.
    /// </summary>
    public async Task<SlotMigration> StartAsync(string ns, int from, int to, int target, MigrationSettings? settings, CancellationToken requestAborted)
    {
        if (from < 0 || to >= SlotTable.SlotCount || from > to)
        {
            throw OperationRefusedException.BadRequest($"slots {from}..{to} are not a range within 0..{SlotTable.SlotCount - 1}: give FROM-TO with FROM <= TO, e.g. 0-511");
        }

        var created = await CreateAsync(NamespaceRepository.ValidateName(ns), [(new SlotSpan(from, to), target)], settings, "migrate", requestAborted).ConfigureAwait(false);
        return created[0];
    }

    /// <summary>
    /// Records one migration per target group for the given moves, all validated before any is written, and
    /// queues them (they run one after the other).
    /// </summary>
    public async Task<IReadOnlyList<SlotMigration>> CreateAsync(string ns, IReadOnlyList<(SlotSpan Slots, int Target)> moves, MigrationSettings? settings, string origin, CancellationToken requestAborted)
    {
        var valid = (settings ?? new MigrationSettings()).Validate();
        var created = await _services.Operations.ChangeAsync(
            async term =>
            {
                var current = await _services.Namespaces.RequireAsync(ns, term).ConfigureAwait(false);
                var slots = SlotTable.Expand(current.Config.Slots);
                var existing = await _services.Migrations.ListAsync(ns, term).ConfigureAwait(false);
                var busy = new Dictionary<int, string>();
                foreach (var stored in existing.Where(static s => !s.Migration.IsFinal))
                {
                    foreach (var slot in stored.Migration.Slots)
                    {
                        busy[slot.Slot] = stored.Migration.Id;
                    }
                }

                var records = new List<SlotMigration>();
                foreach (var target in moves.Select(static m => m.Target).Distinct())
                {
                    var group = current.Config.Groups.FirstOrDefault(g => g.Id == target)
                        ?? throw OperationRefusedException.NotFound($"namespace '{ns}' has no group {target}; create it with `tessera group create {ns} {target}` and add its master");
                    if (group.Master.Length == 0)
                    {
                        throw OperationRefusedException.Conflict($"group {target} of namespace '{ns}' has no master to receive keys; add one with `tessera group add {ns} {target} host:port`");
                    }

                    var ranges = moves.Where(m => m.Target == target).Select(static m => m.Slots).OrderBy(static r => r.From).ToList();
                    var progress = new List<SlotProgress>();
                    foreach (var range in ranges)
                    {
                        for (var slot = range.From; slot <= range.To; slot++)
                        {
                            progress.Add(new SlotProgress { Slot = slot, Source = CheckSlot(ns, slots, slot, target, busy) });
                        }
                    }

                    records.Add(new SlotMigration
                    {
                        Id = "",
                        Namespace = ns,
                        Target = target,
                        Ranges = ranges,
                        State = MigrationState.Queued,
                        Origin = origin,
                        Settings = valid,
                        CreatedAt = _services.Time.GetUtcNow(),
                        Slots = progress,
                    });
                }

                var written = new List<SlotMigration>();
                foreach (var record in records)
                {
                    var id = MigrationRepository.NextId([.. existing, .. written.Select(static w => new StoredMigration(w, 0))]);
                    var stored = await _services.Migrations.CreateAsync(record with { Id = id }, term).ConfigureAwait(false);
                    written.Add(stored.Migration);
                    _logger.LogInformation(
                        "Migration {Namespace}/{Id} queued: {Count} slot(s) ({Ranges}) to group {Target}.",
                        ns, id, record.SlotCount, SlotTable.Describe(record.Ranges), record.Target);
                }

                return written;
            },
            requestAborted).ConfigureAwait(false);

        if (_election.Term is { } runTerm)
        {
            Kick(ns, runTerm);
        }

        return created;
    }

    /// <summary>
    /// Run when this controller becomes leader (after slots left locked were released): every unfinished
    /// migration is picked up from its record.
    /// </summary>
    public async Task ResumeAsync(CancellationToken term)
    {
        var all = await _services.Migrations.ListAllAsync(term).ConfigureAwait(false);
        foreach (var ns in all.Where(static s => !s.Migration.IsFinal).Select(static s => s.Migration.Namespace).Distinct(StringComparer.Ordinal))
        {
            _logger.LogInformation("Resuming the unfinished migrations of namespace {Namespace}.", ns);
            Kick(ns, term);
        }
    }

    /// <summary><see cref="ResumeAsync"/> for the election callback: a failure is logged (the next election or change retries).</summary>
    public async Task ResumeAfterElectionAsync(CancellationToken term)
    {
        try
        {
            await ResumeAsync(term).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationRefusedException or CoordinatorStoreException or OperationCanceledException)
        {
            _logger.LogWarning("Resuming unfinished migrations failed: {Problem}", e.Message);
        }
    }

    /// <summary>Waits (bounded) for the workers to stop once the term has ended (on shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _workers.Values.Select(static w => w.Task)];
        }

        await Task.WhenAny(Task.WhenAll(running), Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var handle in _handles.Values)
            {
                handle.Dispose();
            }

            _handles.Clear();
        }
    }

    /// <summary>The slot's current owner, which must be a group other than the target, online, and in no unfinished migration.</summary>
    private static int CheckSlot(string ns, SlotOwner?[] slots, int slot, int target, Dictionary<int, string> busy)
    {
        if (busy.TryGetValue(slot, out var other))
        {
            throw OperationRefusedException.Conflict($"slot {slot} of namespace '{ns}' is part of unfinished migration {other}; wait for it (`tessera slots migration list {ns}`) or cancel it");
        }

        return slots[slot] switch
        {
            null => throw OperationRefusedException.Conflict($"slot {slot} of namespace '{ns}' is unassigned, so there is nothing to migrate; give it to a group with `tessera slots assign {ns} {slot} {target}`"),
            { State: not SlotState.Online } o => throw OperationRefusedException.Conflict($"slot {slot} of namespace '{ns}' is {o.State.ToString().ToLowerInvariant()}; only online slots can migrate (retry when it is online)"),
            { Group: var g } when g == target => throw OperationRefusedException.Conflict($"slot {slot} of namespace '{ns}' is already owned by group {target}; give a range that group {target} does not own (see `tessera slots show {ns}`)"),
            { Group: var g } => g,
        };
    }

    /// <summary>Makes sure a worker runs the namespace's migrations under <paramref name="term"/>.</summary>
    private void Kick(string ns, CancellationToken term)
    {
        lock (_gate)
        {
            // A worker of an earlier term is winding down (its token is cancelled) and will not look at Pending:
            // after leadership is lost and won back, the new term needs a worker of its own, or the namespace's
            // migrations would wait for the next election.
            if (_workers.TryGetValue(ns, out var worker) && worker.Term == term && !worker.Task.IsCompleted)
            {
                worker.Pending = true;
                return;
            }

            worker = new Worker(term);
            _workers[ns] = worker;
            worker.Task = Task.Run(() => WorkAsync(ns, worker, term), CancellationToken.None);
        }
    }

    private async Task WorkAsync(string ns, Worker worker, CancellationToken term)
    {
        try
        {
            while (true)
            {
                term.ThrowIfCancellationRequested();
                var next = (await _services.Migrations.ListAsync(ns, term).ConfigureAwait(false)).FirstOrDefault(static s => IsRunnable(s.Migration));
                if (next is null)
                {
                    lock (_gate)
                    {
                        if (!worker.Pending)
                        {
                            if (_workers.TryGetValue(ns, out var registered) && registered == worker)
                            {
                                _workers.Remove(ns);
                            }

                            return;
                        }

                        worker.Pending = false;
                    }

                    continue;
                }

                var handle = HandleFor(next, term);
                Task running;
                await handle.ControlLock.WaitAsync(term).ConfigureAwait(false);
                try
                {
                    if (!IsRunnable(handle.Current))
                    {
                        continue;
                    }

                    handle.RunStop?.Dispose();
                    handle.RunStop = CancellationTokenSource.CreateLinkedTokenSource(term);
                    var stop = handle.RunStop.Token;
                    running = Task.Run(() => new MigrationRunner(handle, _services).RunAsync(term, stop), CancellationToken.None);
                    handle.Running = running;
                }
                finally
                {
                    handle.ControlLock.Release();
                }

                await running.ConfigureAwait(false);
                if (IsRunnable(handle.Current) && !term.IsCancellationRequested && !handle.RunStop.IsCancellationRequested)
                {
                    // The runner gave up on a record someone else changed: read it again before going on.
                    DropHandle(handle.Current);
                    await Task.Delay(TimeSpan.FromSeconds(1), _services.Time, term).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
            // The term ended; the next leader resumes from the store.
        }
#pragma warning disable CA1031 // A worker that dies would leave migrations stuck until the next election: log and let a kick restart it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "The migration worker of namespace {Namespace} failed; it starts again with the next change or election.", ns);
        }
    }

    private static bool IsRunnable(SlotMigration migration) => migration.State is MigrationState.Queued or MigrationState.Moving or MigrationState.Finishing;

    /// <summary>The migrations this leader runs now, for the metrics (empty on a standby).</summary>
    public IReadOnlyList<MigrationSample> RunningSamples()
    {
        lock (_gate)
        {
            return [.. _handles.Values.Select(static h => h.Current).Where(static m => !m.IsFinal && m.State != MigrationState.Queued)
                .Select(static m => new MigrationSample(m.Namespace, m.Slots.Count(static s => s.Left is not 0), m.KeysLeft ?? 0, m.Rate, m.Id, m.State == MigrationState.Paused))];
        }
    }

    /// <summary>This term's handle for a migration, made from <paramref name="stored"/> when there is none yet.</summary>
    private MigrationHandle HandleFor(StoredMigration stored, CancellationToken term)
    {
        lock (_gate)
        {
            if (_handlesTerm != term)
            {
                // A new term: the previous term's handles (and their runners, cancelled with it) are done with.
                foreach (var old in _handles.Values)
                {
                    old.RunStop?.Cancel();
                }

                _handles = [];
                _handlesTerm = term;
            }

            var key = (stored.Migration.Namespace, stored.Migration.Id);
            if (!_handles.TryGetValue(key, out var handle))
            {
                handle = new MigrationHandle(stored, _services.Migrations, _services.Time);
                _handles[key] = handle;
            }

            return handle;
        }
    }

    private void DropHandle(SlotMigration migration)
    {
        lock (_gate)
        {
            _handles.Remove((migration.Namespace, migration.Id));
        }
    }
}
