namespace Tessera.Controller.Migration;

/// <summary>
/// The leader's hold on one migration for one term: the record as last written (every write of it goes through
/// <see cref="UpdateAsync"/>, a compare-and-set, one at a time), the runner working on it, and its throttle.
/// </summary>
/// <remarks>
/// <see cref="ControlLock"/> is held by whoever starts a runner for it and by control actions that must know no
/// runner is active (cancel, resume), so a control action never races a runner's route switch.
/// </remarks>
internal sealed class MigrationHandle : IDisposable
{
    private readonly MigrationRepository _repository;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _write = new(1, 1);
    private StoredMigration _stored;

    public MigrationHandle(StoredMigration stored, MigrationRepository repository, TimeProvider time)
    {
        _stored = stored;
        _repository = repository;
        _time = time;
        KeyBucket = new TokenBucket(stored.Migration.Settings.KeysPerSecond, time);
        ByteBucket = new TokenBucket(stored.Migration.Settings.BytesPerSecond, time);
    }

    /// <summary>The record as last written by this controller.</summary>
    public SlotMigration Current => Volatile.Read(ref _stored).Migration;

    public TokenBucket KeyBucket { get; }

    public TokenBucket ByteBucket { get; }

    /// <summary>Held while starting a runner, and by control actions that need no runner active.</summary>
    public SemaphoreSlim ControlLock { get; } = new(1, 1);

    /// <summary>Cancels the active runner (pause, cancel).</summary>
    public CancellationTokenSource? RunStop { get; set; }

    /// <summary>The active runner, or a completed task.</summary>
    public Task Running { get; set; } = Task.CompletedTask;

    /// <summary>Writes <paramref name="change"/> of the current record; throws <see cref="MigrationLostException"/> when another writer changed it.</summary>
    public async Task<SlotMigration> UpdateAsync(Func<SlotMigration, SlotMigration> change, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _stored;
            var next = change(current.Migration) with { UpdatedAt = _time.GetUtcNow() };
            var stored = await _repository.TryReplaceAsync(current, next, cancellationToken).ConfigureAwait(false)
                ?? throw new MigrationLostException($"migration {next.Namespace}/{next.Id} was changed in the store by someone else (another controller acting as leader?); this controller stops working on it");
            Volatile.Write(ref _stored, stored);
            KeyBucket.SetRate(next.Settings.KeysPerSecond);
            ByteBucket.SetRate(next.Settings.BytesPerSecond);
            return next;
        }
        finally
        {
            _write.Release();
        }
    }

    public void Dispose()
    {
        _write.Dispose();
        ControlLock.Dispose();
        RunStop?.Dispose();
    }
}

/// <summary>The migration record changed under this controller: it is no longer the one to work on it.</summary>
internal sealed class MigrationLostException : Exception
{
    public MigrationLostException()
    {
    }

    public MigrationLostException(string message)
        : base(message)
    {
    }

    public MigrationLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
