namespace Tessera.Store.Files;

/// <summary>Settings of a <see cref="FileStore"/>; the defaults suit one machine running a handful of Tessera processes.</summary>
public sealed record FileStoreOptions
{
    /// <summary>The clock that decides when leases expire (a test can substitute its own).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often watchers look at the revision counter; file-system notifications usually wake them sooner.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a write waits for the lock held by another process before failing.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Size at which the change log starts a new segment.</summary>
    public long ChangeLogSegmentBytes { get; init; } = 1024 * 1024;

    /// <summary>How many change-log segments are kept; watchers further behind than that get a reset.</summary>
    public int ChangeLogSegments { get; init; } = 8;

    /// <summary>How often an idle watcher checks for expired leases, so their records vanish even when nobody writes.</summary>
    public TimeSpan LeaseSweepInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (PollInterval <= TimeSpan.Zero || LockTimeout <= TimeSpan.Zero || LeaseSweepInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("FileStoreOptions: PollInterval, LockTimeout and LeaseSweepInterval must be positive.");
        }

        if (ChangeLogSegmentBytes < 1024 || ChangeLogSegments < 2)
        {
            throw new ArgumentException("FileStoreOptions: keep at least 2 change-log segments of at least 1 KiB each.");
        }
    }
}
