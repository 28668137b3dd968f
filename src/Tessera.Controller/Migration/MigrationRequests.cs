namespace Tessera.Controller.Migration;

/// <summary>
/// Body of POST /api/namespaces/{ns}/migrations: move slots <see cref="From"/>..<see cref="To"/> (online, owned by
/// one or more groups other than <see cref="Group"/>) to group <see cref="Group"/>. Settings left out keep their defaults.
/// </summary>
public sealed record StartMigrationRequest
{
    public required int From { get; init; }

    public required int To { get; init; }

    public required int Group { get; init; }

    /// <summary>Throttle, batch size, big-key threshold and timeouts; null for the defaults.</summary>
    public MigrationSettings? Settings { get; init; }
}

/// <summary>
/// Body of POST /api/namespaces/{ns}/migrations/{id} (id "all": every unfinished migration of the namespace):
/// <see cref="Action"/> is "pause", "resume", "cancel" or "throttle" (with <see cref="KeysPerSecond"/> and/or
/// <see cref="BytesPerSecond"/>, 0 meaning no limit).
/// </summary>
public sealed record MigrationControlRequest
{
    /// <summary>The id that addresses every unfinished migration of the namespace.</summary>
    public const string AllMigrations = "all";

    public required string Action { get; init; }

    public long? KeysPerSecond { get; init; }

    public long? BytesPerSecond { get; init; }
}
