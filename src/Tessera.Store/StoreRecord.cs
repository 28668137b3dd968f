namespace Tessera.Store;

/// <summary>One key's current value as read from the store.</summary>
/// <param name="Key">The key, an absolute path.</param>
/// <param name="Value">The value as JSON text.</param>
/// <param name="Revision">The revision of the last change to this key: pass it to compare-and-set.</param>
/// <param name="CreateRevision">The revision at which the key was (last) created.</param>
/// <param name="Version">How many times the key was written since it was created (1 after the first write).</param>
/// <param name="Lease">The lease the record is attached to, or null for a durable record.</param>
public sealed record StoreRecord(string Key, string Value, long Revision, long CreateRevision, long Version, long? Lease);
