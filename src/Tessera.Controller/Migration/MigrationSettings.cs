
namespace Tessera.Controller.Migration;

/// <summary>
/// How the controller's mover works through one migration: its throttle, batch sizes, the big-key threshold
/// and the MIGRATE timeouts. Stored with the migration; the throttle can be changed while it runs.
/// </summary>
public sealed record MigrationSettings
{
    /// <summary>Most keys moved per second by the mover (0: no limit). Clients moving keys on first touch are not counted.</summary>
    public long KeysPerSecond { get; init; }

    /// <summary>Most bytes (as MEMORY USAGE counts them) moved per second by the mover (0: no limit).</summary>
    public long BytesPerSecond { get; init; }

    /// <summary>Most keys per <c>MIGRATE … KEYS</c>: bigger batches move faster but block the source longer each.</summary>
    public int BatchKeys { get; init; } = 100;

    /// <summary>
    /// Milliseconds one <c>MIGRATE … KEYS</c> should block the source at most: the batch shrinks (down to 10 keys)
    /// when the previous ones took longer per key, and grows back up to <see cref="BatchKeys"/>; 0 (the default)
    /// keeps every batch at <see cref="BatchKeys"/>.
    /// </summary>
    /// <remarks>
    /// Off by default: with small values (10 bytes, 1,000,000 keys, clients running; bench/migration.sh on 2 cores)
    /// a 1 ms target moved 38k keys/s against 47k with fixed 100-key batches, at the same client p99 (the calls
    /// shrink under load and each costs a round trip). It pays off with values of kilobytes, where 100 keys block
    /// the source for milliseconds (4 KB values: 2.3-2.7 ms per MIGRATE fixed, ~0.9 ms with a 1 ms target, same
    /// wall time, source latency p99 6.1-6.5 -> 3.7-3.9 ms).
    /// </remarks>
    public double BatchTargetMs { get; init; }

    /// <summary>COUNT hint of each SCAN over the source master (a SCAN of 1000 blocks the source for about 0.6 ms).</summary>
    public int ScanCount { get; init; } = 500;

    /// <summary>Keys whose MEMORY USAGE is at least this many bytes are big: reported, and migrated alone with <see cref="BigKeyTimeoutMs"/>.</summary>
    public long BigKeyBytes { get; init; } = 1024 * 1024;

    /// <summary>Timeout (ms) given to MIGRATE for a batch of small keys.</summary>
    public int MigrateTimeoutMs { get; init; } = 5000;

    /// <summary>Timeout (ms) given to MIGRATE for one big key.</summary>
    public int BigKeyTimeoutMs { get; init; } = 120_000;

    /// <summary>These settings with the throttle changed where a value is given.</summary>
    public MigrationSettings WithThrottle(long? keysPerSecond, long? bytesPerSecond) => this with
    {
        KeysPerSecond = keysPerSecond ?? KeysPerSecond,
        BytesPerSecond = bytesPerSecond ?? BytesPerSecond,
    };

    /// <summary>400 naming the first setting out of range.</summary>
    public MigrationSettings Validate()
    {
        if (KeysPerSecond < 0 || BytesPerSecond < 0)
        {
            throw OperationRefusedException.BadRequest($"the throttle must be 0 (no limit) or positive; got {KeysPerSecond} keys/s and {BytesPerSecond} bytes/s");
        }

        if (BatchKeys is < 1 or > 10_000)
        {
            throw OperationRefusedException.BadRequest($"batchKeys must be 1..10000 keys per MIGRATE; got {BatchKeys}");
        }

        if (!(BatchTargetMs is >= 0 and <= 1000))
        {
            throw OperationRefusedException.BadRequest($"batchTargetMs must be 0 (always batchKeys keys per MIGRATE) to 1000 ms; got {BatchTargetMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (ScanCount is < 10 or > 100_000)
        {
            throw OperationRefusedException.BadRequest($"scanCount must be 10..100000; got {ScanCount}");
        }

        if (BigKeyBytes < 1024)
        {
            throw OperationRefusedException.BadRequest($"bigKeyBytes must be at least 1024 bytes; got {BigKeyBytes}");
        }

        if (MigrateTimeoutMs is < 100 or > 600_000 || BigKeyTimeoutMs is < 100 or > 3_600_000 || BigKeyTimeoutMs < MigrateTimeoutMs)
        {
            throw OperationRefusedException.BadRequest(
                $"MIGRATE timeouts must be 100 ms..10 min for batches and up to 1 h for big keys, the big-key one at least the batch one; got {MigrateTimeoutMs} ms and {BigKeyTimeoutMs} ms");
        }

        return this;
    }
}
