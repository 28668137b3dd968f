namespace Tessera.Store;

/// <summary>What happened to a key, as seen by a watch.</summary>
public enum StoreEventKind
{
    /// <summary>The key was created or overwritten; <see cref="StoreEvent.Value"/> holds the new value.</summary>
    Put,

    /// <summary>The key was deleted, explicitly or because its lease ended.</summary>
    Delete,

    /// <summary>
    /// The watch lost history (the store compacted or rotated it away, or the watcher fell too far behind):
    /// re-list the watched prefix; events after <see cref="StoreEvent.Revision"/> follow.
    /// </summary>
    Reset,
}

/// <summary>One change delivered by <see cref="ICoordinatorStore.WatchAsync"/>.</summary>
/// <param name="Kind">Put, delete, or reset (re-list).</param>
/// <param name="Key">The key that changed; for a reset, the watched prefix.</param>
/// <param name="Value">The new value for a put; null for deletes and resets.</param>
/// <param name="Revision">The revision of the change; for a reset, the store revision at which to re-list.</param>
public sealed record StoreEvent(StoreEventKind Kind, string Key, string? Value, long Revision);
