using System.Globalization;
using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Migration;

/// <summary>A migration as read from the store, with the revision to compare-and-set against.</summary>
internal sealed record StoredMigration(SlotMigration Migration, long Revision);

/// <summary>
/// Migrations in the store, one JSON document each at <see cref="StorePaths.Migration"/>. Every write is a
/// compare-and-set, so a controller that lost its term cannot overwrite what the new leader wrote.
/// </summary>
internal sealed class MigrationRepository
{
    private const string IdPrefix = "m";

    private readonly ICoordinatorStore _store;

    public MigrationRepository(ICoordinatorStore store)
    {
        _store = store;
    }

    /// <summary>Every migration of every namespace, sorted by namespace and id (so in the order they were asked for).</summary>
    public Task<IReadOnlyList<StoredMigration>> ListAllAsync(CancellationToken cancellationToken) => ListUnderAsync(StorePaths.Migrations, cancellationToken);

    /// <summary>The migrations of one namespace, oldest first.</summary>
    public Task<IReadOnlyList<StoredMigration>> ListAsync(string ns, CancellationToken cancellationToken) => ListUnderAsync(StorePaths.MigrationsOf(ns), cancellationToken);

    /// <summary>One migration, or null.</summary>
    public async Task<StoredMigration?> GetAsync(string ns, string id, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(StorePaths.Migration(ns, ValidateId(id)), cancellationToken).ConfigureAwait(false);
        return record is null ? null : Read(record);
    }

    /// <summary>One migration; 404 naming it when there is none.</summary>
    public async Task<StoredMigration> RequireAsync(string ns, string id, CancellationToken cancellationToken) =>
        await GetAsync(ns, id, cancellationToken).ConfigureAwait(false)
        ?? throw OperationRefusedException.NotFound($"namespace '{ns}' has no migration '{id}'; list them with `tessera slots migration list {ns}`");

    /// <summary>The id after the highest one the namespace has used: m000001, m000002, …</summary>
    public static string NextId(IReadOnlyList<StoredMigration> existing)
    {
        var highest = 0;
        foreach (var stored in existing)
        {
            var id = stored.Migration.Id;
            if (id.StartsWith(IdPrefix, StringComparison.Ordinal)
                && int.TryParse(id.AsSpan(IdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                highest = Math.Max(highest, number);
            }
        }

        return IdPrefix + (highest + 1).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a new migration; 409 when the id is taken.</summary>
    public async Task<StoredMigration> CreateAsync(SlotMigration migration, CancellationToken cancellationToken)
    {
        var key = StorePaths.Migration(migration.Namespace, migration.Id);
        if (!await _store.CreateAsync(key, Serialize(migration), lease: null, cancellationToken).ConfigureAwait(false))
        {
            throw OperationRefusedException.Conflict($"migration '{migration.Id}' of namespace '{migration.Namespace}' already exists; retry");
        }

        return await GetAsync(migration.Namespace, migration.Id, cancellationToken).ConfigureAwait(false)
            ?? throw OperationRefusedException.Conflict($"migration '{migration.Id}' of namespace '{migration.Namespace}' vanished right after it was written; check the store");
    }

    /// <summary>Writes <paramref name="next"/> if the record is still at <paramref name="current"/>'s revision; null when it changed (another writer).</summary>
    public async Task<StoredMigration?> TryReplaceAsync(StoredMigration current, SlotMigration next, CancellationToken cancellationToken)
    {
        var key = StorePaths.Migration(next.Namespace, next.Id);
        if (!await _store.CompareAndSetAsync(key, Serialize(next), current.Revision, lease: null, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var stored = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : new StoredMigration(next, stored.Revision);
    }

    /// <summary>A migration id as given by a user: 400 unless it looks like one.</summary>
    public static string ValidateId(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 32 || !id.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw OperationRefusedException.BadRequest($"'{id}' is not a migration id; ids look like m000001 (see `tessera slots migration list NAMESPACE`)");
        }

        return id;
    }

    private async Task<IReadOnlyList<StoredMigration>> ListUnderAsync(string prefix, CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(prefix, cancellationToken).ConfigureAwait(false);
        var migrations = new List<StoredMigration>(listing.Count);
        foreach (var record in listing)
        {
            migrations.Add(Read(record));
        }

        return migrations;
    }

    private static string Serialize(SlotMigration migration) => JsonSerializer.Serialize(migration, TesseraJson.Options);

    private static StoredMigration Read(StoreRecord record)
    {
        try
        {
            return JsonSerializer.Deserialize<SlotMigration>(record.Value, TesseraJson.Options) is { } migration
                ? new StoredMigration(migration, record.Revision)
                : throw OperationRefusedException.Conflict($"the migration record {record.Key} in the store is empty (null); delete it");
        }
        catch (JsonException e)
        {
            throw OperationRefusedException.Conflict($"the migration record {record.Key} in the store is not a migration ({e.Message}); fix or delete it", e);
        }
    }
}
