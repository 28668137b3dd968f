using System.Globalization;
using System.Text;

namespace Tessera.Store.Files;

public sealed partial class FileStore
{
    public Task<bool> CreateAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default) =>
        CompareAndSetAsync(key, value, 0, lease, cancellationToken);

    public Task<bool> CompareAndSetAsync(string key, string value, long expectedRevision, long? lease = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        string text = StoreKeys.ValidateValue(key, value).Text;
        StoreKeys.ValidateLease(lease);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedRevision);
        return WriteAsync(
            tx =>
            {
                FileRecord? existing = tx.Read(key);
                if ((existing?.Revision ?? 0) != expectedRevision)
                {
                    return false;
                }

                // Like etcd, the lease matters only for a write that happens: a failed comparison is just false.
                tx.Put(key, text, tx.RequireLease(lease, key), existing);
                return true;
            },
            cancellationToken);
    }

    public Task<long> PutAsync(string key, string value, long? lease = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        string text = StoreKeys.ValidateValue(key, value).Text;
        StoreKeys.ValidateLease(lease);
        return WriteAsync(
            tx =>
            {
                FileLease? attached = tx.RequireLease(lease, key);
                return tx.Put(key, text, attached, tx.Read(key));
            },
            cancellationToken);
    }

    public Task<bool> DeleteAsync(string key, long? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        return WriteAsync(
            tx =>
            {
                FileRecord? existing = tx.Read(key);
                if (existing is null || (expectedRevision is { } expected && existing.Revision != expected))
                {
                    return false;
                }

                tx.Delete(existing);
                return true;
            },
            cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> under the write lock, after removing what expired leases left behind.
    /// The body is synchronous: once the lock is held the write completes, cancellation or not.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<Transaction, T> body, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using FileLock held = await FileLock.AcquireAsync(_lockPath, _options.LockTimeout, cancellationToken).ConfigureAwait(false);
            var tx = new Transaction(this, ReadRevision(), NowMs());
            tx.SweepExpiredLeases();
            return body(tx);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoordinatorStoreException($"Writing to the file store in {Directory} failed ({e.Message}); check free space and permissions.", e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>One write under the lock: hands out revisions and performs changes in crash-safe order.</summary>
    private sealed class Transaction
    {
        private readonly FileStore _store;
        private readonly long _nowMs;
        private long _revision;

        public Transaction(FileStore store, long revision, long nowMs)
        {
            _store = store;
            _revision = revision;
            _nowMs = nowMs;
        }

        public long NowMs => _nowMs;

        /// <summary>The live record at <paramref name="key"/>; a record left by a vanished lease is removed on sight.</summary>
        public FileRecord? Read(string key)
        {
            FileRecord? record = _store.ReadRecord(key);
            if (record is not null && !_store.IsLive(record, _nowMs, cache: null))
            {
                Delete(record);
                return null;
            }

            return record;
        }

        /// <summary>The lease document a write attaches to, or null for a durable write; throws when the lease is gone.</summary>
        public FileLease? RequireLease(long? lease, string key)
        {
            if (lease is not { } id)
            {
                return null;
            }

            FileLease? document = _store.ReadLease(id);
            if (document is null || document.IsExpired(_nowMs))
            {
                throw LeaseNotFoundException.For(id, key);
            }

            return document;
        }

        public long Put(string key, string value, FileLease? lease, FileRecord? existing)
        {
            long revision = NextRevision();
            var record = new FileRecord(key, value, revision, existing?.CreateRevision ?? revision, (existing?.Version ?? 0) + 1, lease?.Id ?? 0);
            AtomicFile.Write(_store.KeyPath(key), FileDocuments.WriteRecord(record));
            _store._log.Append(new FileChange(revision, StoreEventKind.Put, key, value));

            // Remember the key on the lease so expiry finds it without scanning every key. A key that later
            // moves to another lease or is deleted stays listed; expiry checks the record's lease first.
            if (lease is not null && !lease.Keys.Contains(key))
            {
                var keys = new List<string>(lease.Keys) { key };
                WriteLease(lease with { Keys = keys });
            }

            return revision;
        }

        public void Delete(FileRecord existing)
        {
            long revision = NextRevision();
            File.Delete(_store.KeyPath(existing.Key));
            _store._log.Append(new FileChange(revision, StoreEventKind.Delete, existing.Key, null));
        }

        public void WriteLease(FileLease lease) => AtomicFile.Write(_store.LeasePath(lease.Id), FileDocuments.WriteLease(lease), durable: false);

        /// <summary>Ends <paramref name="lease"/>: deletes the records still attached to it, then its document.</summary>
        public void RemoveLease(FileLease lease)
        {
            foreach (string key in lease.Keys)
            {
                FileRecord? record = _store.ReadRecord(key);
                if (record is not null && record.Lease == lease.Id)
                {
                    Delete(record);
                }
            }

            File.Delete(_store.LeasePath(lease.Id));
        }

        public void SweepExpiredLeases()
        {
            foreach (FileLease lease in _store.ReadAllLeases())
            {
                if (lease.IsExpired(_nowMs))
                {
                    RemoveLease(lease);
                }
            }
        }

        private long NextRevision()
        {
            // The counter goes first (see the class remarks): a crash after it skips a revision, never reuses one.
            _revision++;
            AtomicFile.Write(_store._revisionPath, Encoding.ASCII.GetBytes(_revision.ToString(CultureInfo.InvariantCulture) + "\n"));
            return _revision;
        }
    }
}
