using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Tenants;
using Tessera.Model.Topology;
using Tessera.Store;

namespace Tessera.Controller.Topology;

/// <summary>
/// Namespaces in the store: one JSON document per namespace at <see cref="StorePaths.Namespace"/> holding the
/// whole <see cref="NamespaceConfig"/> with its epoch, so every change is one compare-and-set of one document
/// and a proxy never sees half of a change.
/// </summary>
internal sealed class NamespaceRepository
{
    /// <summary>Longest namespace name accepted; names appear in store paths, AUTH and metrics labels.</summary>
    public const int MaxNameLength = 64;

    private readonly ICoordinatorStore _store;

    public NamespaceRepository(ICoordinatorStore store)
    {
        _store = store;
    }

    /// <summary>Every namespace, sorted by name. Documents that cannot be read are reported, not skipped silently.</summary>
    public async Task<IReadOnlyList<StoredNamespace>> ListAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Namespaces, cancellationToken).ConfigureAwait(false);
        var namespaces = new List<StoredNamespace>();
        foreach (var record in listing)
        {
            // Only the documents themselves: anything stored inside a namespace (future sub-keys) is not one.
            if (StorePaths.TryGetChildName(StorePaths.Namespaces, record.Key, out _))
            {
                namespaces.Add(Read(record));
            }
        }

        return namespaces;
    }

    /// <summary>
    /// Every namespace (as <see cref="ListAsync"/>) and the access documents of those with backend credentials or
    /// backend TLS, from one listing. An access document that cannot be read gives neither (its namespace's servers then
    /// refuse the controller's connections, which the probes report).
    /// </summary>
    public async Task<(IReadOnlyList<StoredNamespace> Namespaces, IReadOnlyDictionary<string, NamespaceAccess> Backends)> ListWithBackendCredentialsAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Namespaces, cancellationToken).ConfigureAwait(false);
        var namespaces = new List<StoredNamespace>();
        var credentials = new Dictionary<string, NamespaceAccess>(StringComparer.Ordinal);
        foreach (var record in listing)
        {
            if (StorePaths.TryGetChildName(StorePaths.Namespaces, record.Key, out _))
            {
                namespaces.Add(Read(record));
            }
            else if (StorePaths.TryGetAccessNamespace(record.Key, out var ns) && TryReadAccess(record.Value) is { } access
                && (access.Backend is not null || access.BackendTls is not null))
            {
                credentials[ns] = access;
            }
        }

        return (namespaces, credentials);
    }

    /// <summary>The namespace, or null when it does not exist.</summary>
    public async Task<StoredNamespace?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(Key(name), cancellationToken).ConfigureAwait(false);
        return record is null ? null : Read(record);
    }

    /// <summary>The namespace; 404 naming it when it does not exist.</summary>
    public async Task<StoredNamespace> RequireAsync(string name, CancellationToken cancellationToken) =>
        await GetAsync(name, cancellationToken).ConfigureAwait(false)
        ?? throw OperationRefusedException.NotFound($"namespace '{name}' does not exist; list them with `tessera namespace list` or create it with `tessera namespace create {name}`");

    /// <summary>
    /// Creates an empty namespace. Its first epoch is the store's current revision + 1, which is above every
    /// epoch an earlier namespace of the same name ever had (each change took at least one revision), so a
    /// proxy that still remembers a removed namespace never mistakes the new one for an older version.
    /// </summary>
    public async Task<StoredNamespace> CreateAsync(string name, bool open, CancellationToken cancellationToken)
    {
        var key = Key(name);
        var listing = await _store.ListAsync(StorePaths.Namespaces, cancellationToken).ConfigureAwait(false);
        var config = new NamespaceConfig { Name = name, Epoch = listing.Revision + 1, Open = open };
        if (listing.Any(r => r.Key == key))
        {
            throw OperationRefusedException.Conflict($"namespace '{name}' already exists; see it with `tessera slots show {name}` or pick another name");
        }

        // Users left by an earlier namespace of this name (removed by a controller that died halfway) are not this one's.
        await _store.DeleteAsync(StorePaths.Access(name), expectedRevision: null, cancellationToken).ConfigureAwait(false);
        if (!await _store.CreateAsync(key, Serialize(config), lease: null, cancellationToken).ConfigureAwait(false))
        {
            throw OperationRefusedException.Conflict($"namespace '{name}' already exists; see it with `tessera slots show {name}` or pick another name");
        }

        return await RequireAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="next"/> if the namespace is still at <paramref name="current"/>'s revision; 409 otherwise.</summary>
    public async Task<StoredNamespace> ReplaceAsync(StoredNamespace current, NamespaceConfig next, CancellationToken cancellationToken)
    {
        var key = Key(current.Config.Name);
        if (!await _store.CompareAndSetAsync(key, Serialize(next), current.Revision, lease: null, cancellationToken).ConfigureAwait(false))
        {
            throw Changed(current.Config.Name);
        }

        var stored = await GetAsync(current.Config.Name, cancellationToken).ConfigureAwait(false);
        return stored is not null && stored.Config.Epoch == next.Epoch ? stored : throw Changed(current.Config.Name);
    }

    /// <summary>Deletes the namespace (and its users) if it is still at <paramref name="current"/>'s revision; 409 otherwise.</summary>
    public async Task DeleteAsync(StoredNamespace current, CancellationToken cancellationToken)
    {
        if (!await _store.DeleteAsync(Key(current.Config.Name), current.Revision, cancellationToken).ConfigureAwait(false))
        {
            throw Changed(current.Config.Name);
        }

        await _store.DeleteAsync(StorePaths.Access(current.Config.Name), expectedRevision: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The namespace's users (an empty document with a new salt when it has none yet), with the revision to write against (0: absent).</summary>
    public async Task<(NamespaceAccess Access, long Revision)> GetAccessAsync(string name, CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(StorePaths.Access(ValidateName(name)), cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return (new NamespaceAccess { Salt = PasswordHash.NewSalt() }, 0);
        }

        try
        {
            var access = JsonSerializer.Deserialize<NamespaceAccess>(record.Value, TesseraJson.Options);
            return access is { Salt.Length: > 0 }
                ? (access, record.Revision)
                : throw OperationRefusedException.Conflict($"the access document {record.Key} in the store has no salt; delete it (its users are lost) and add them again");
        }
        catch (JsonException e)
        {
            throw OperationRefusedException.Conflict($"the access document {record.Key} in the store is unreadable ({e.Message}); delete it and add its users again", e);
        }
    }

    /// <summary>Writes the namespace's users if the document is still at <paramref name="revision"/> (0: still absent); 409 otherwise.</summary>
    public async Task ReplaceAccessAsync(string name, NamespaceAccess access, long revision, CancellationToken cancellationToken)
    {
        var key = StorePaths.Access(ValidateName(name));
        var json = JsonSerializer.Serialize(access, TesseraJson.Options);
        bool written = revision == 0
            ? await _store.CreateAsync(key, json, lease: null, cancellationToken).ConfigureAwait(false)
            : await _store.CompareAndSetAsync(key, json, revision, lease: null, cancellationToken).ConfigureAwait(false);
        if (!written)
        {
            throw Changed(name);
        }
    }

    /// <summary>Checks a namespace name: 400 naming what is allowed.</summary>
    public static string ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name is "." or ".." || !name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw OperationRefusedException.BadRequest($"'{name}' is not a namespace name: use 1–{MaxNameLength} letters, digits, '-', '_' or '.' (e.g. shop-eu)");
        }

        return name;
    }

    private static NamespaceAccess? TryReadAccess(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<NamespaceAccess>(json, TesseraJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Key(string name) => StorePaths.Namespace(ValidateName(name));

    private static string Serialize(NamespaceConfig config) => JsonSerializer.Serialize(config, TesseraJson.Options);

    private static StoredNamespace Read(StoreRecord record)
    {
        NamespaceConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<NamespaceConfig>(record.Value, TesseraJson.Options);
        }
        catch (JsonException e)
        {
            throw OperationRefusedException.Conflict($"the namespace document {record.Key} in the store is not a namespace ({e.Message}); fix or delete it", e);
        }

        return config is null
            ? throw OperationRefusedException.Conflict($"the namespace document {record.Key} in the store is empty (null); delete it")
            : new StoredNamespace(config, record.Revision);
    }

    private static OperationRefusedException Changed(string name) =>
        OperationRefusedException.Conflict($"namespace '{name}' changed in the store while this change was made (another controller acting as leader?); check `tessera status` and retry");
}
