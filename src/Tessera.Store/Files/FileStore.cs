using System.Globalization;

namespace Tessera.Store.Files;

/// <summary>
/// The embedded coordinator store: a directory of JSON documents that several processes on one machine
/// can share. Opened by <c>file:///path</c>.
/// </summary>
/// <remarks>
/// <para>Layout: <c>keys/</c> holds one document per key (mirroring the key's path), <c>leases/</c> one
/// heartbeat document per lease, <c>changes/</c> the bounded change log, <c>revision</c> the global revision
/// counter and <c>lock</c> the write lock.</para>
/// <para>Every write takes the lock (an exclusive flock, see <see cref="FileLock"/>), first removes records of
/// expired leases, then bumps the counter, replaces the key's document atomically (temp file + rename) and
/// appends to the change log, in that order: a watcher that sees the new counter finds the log line soon
/// after, and a crash can only skip a revision, never reuse one. Reads take no lock: every file they read is
/// replaced whole, and a record whose lease has expired reads as absent even before a writer removes it.</para>
/// <para>Not for several machines: flock over network file systems is unreliable. Use etcd there.</para>
/// </remarks>
public sealed partial class FileStore : ICoordinatorStore
{
    private const string RevisionFileName = "revision";
    private readonly string _keysDirectory;
    private readonly string _leasesDirectory;
    private readonly string _lockPath;
    private readonly string _revisionPath;
    private readonly ChangeLog _log;
    private readonly Lazy<ChangeHint> _hint;
    private readonly FileStoreOptions _options;
    private readonly TimeProvider _time;

    // Serialises this instance's writers before they compete for the file lock, so tasks of one process
    // queue politely instead of spinning on the flock.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private long _nextLeaseCheck;
    private volatile bool _disposed;

    /// <summary>Opens (and creates if needed) the store in <paramref name="directory"/>, an absolute path.</summary>
    public FileStore(string directory, FileStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Path.IsPathFullyQualified(directory))
        {
            throw new ArgumentException($"The file store directory \"{directory}\" must be an absolute path (file:///var/lib/tessera).", nameof(directory));
        }

        _options = options ?? new FileStoreOptions();
        _options.Validate();
        _time = _options.TimeProvider;
        Directory = Path.GetFullPath(directory);
        _keysDirectory = Path.Combine(Directory, "keys");
        _leasesDirectory = Path.Combine(Directory, "leases");
        _lockPath = Path.Combine(Directory, "lock");
        _revisionPath = Path.Combine(Directory, RevisionFileName);
        try
        {
            System.IO.Directory.CreateDirectory(_keysDirectory);
            System.IO.Directory.CreateDirectory(_leasesDirectory);
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "changes"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoordinatorStoreException($"Cannot create the file store in {Directory} ({e.Message}); check the path and its permissions.", e);
        }

        _log = new ChangeLog(Path.Combine(Directory, "changes"), _options.ChangeLogSegmentBytes, _options.ChangeLogSegments);

        // Created on the first watch: each notifier costs an inotify instance, and most processes that
        // open a store (CLI verbs) never watch.
        _hint = new Lazy<ChangeHint>(() => new ChangeHint(Directory, RevisionFileName), LazyThreadSafetyMode.ExecutionAndPublication);
        Url = new Uri(Directory).AbsoluteUri;
    }

    /// <summary>The store's folder.</summary>
    public string Directory { get; }

    public string Url { get; }

    /// <summary>Why file-system change notifications are off (watchers then rely on polling alone), or null.</summary>
    public string? ChangeNotificationsUnavailable => _hint.IsValueCreated ? _hint.Value.Unavailable : null;

    public Task<StoreRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateKey(key);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        FileRecord? record = ReadRecord(key);
        if (record is not null && !IsLive(record, NowMs(), cache: null))
        {
            record = null;
        }

        return Task.FromResult(record?.ToStoreRecord());
    }

    public Task<StoreListing> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidatePrefix(prefix);
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();

        // The counter is read first: anything changed during the listing is at a later revision, so a
        // watch from Revision + 1 replays it rather than missing it.
        long revision = ReadRevision();
        long now = NowMs();
        var leases = new Dictionary<long, bool>();
        var records = new List<StoreRecord>();
        string folder = Path.Combine(_keysDirectory, FileKeyPath.DirectoryForPrefix(prefix));
        if (System.IO.Directory.Exists(folder))
        {
            var enumeration = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false };
            foreach (string path in System.IO.Directory.EnumerateFiles(folder, "*" + FileKeyPath.Extension, enumeration))
            {
                if (!FileKeyPath.TryGetKey(Path.GetRelativePath(_keysDirectory, path), out string key) || !key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                FileRecord? record = ReadRecord(key);
                if (record is not null && IsLive(record, now, leases))
                {
                    records.Add(record.ToStoreRecord());
                }
            }
        }

        records.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return Task.FromResult(new StoreListing(records.ToArray(), revision));
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_hint.IsValueCreated)
        {
            _hint.Value.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    public override string ToString() => Url;

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private string KeyPath(string key) => Path.Combine(_keysDirectory, FileKeyPath.ToRelativePath(key));

    private string LeasePath(long lease) => Path.Combine(_leasesDirectory, lease.ToString(CultureInfo.InvariantCulture) + ".json");

    private FileRecord? ReadRecord(string key)
    {
        string path = KeyPath(key);
        byte[]? bytes = AtomicFile.TryRead(path);
        return bytes is null ? null : FileDocuments.ReadRecord(bytes, path);
    }

    private FileLease? ReadLease(long lease)
    {
        string path = LeasePath(lease);
        byte[]? bytes = AtomicFile.TryRead(path);
        return bytes is null ? null : FileDocuments.ReadLease(bytes, path);
    }

    /// <summary>False for a record whose lease is gone or expired: it is absent even before a writer removes it.</summary>
    private bool IsLive(FileRecord record, long nowMs, Dictionary<long, bool>? cache)
    {
        if (record.Lease == 0)
        {
            return true;
        }

        if (cache is not null && cache.TryGetValue(record.Lease, out bool live))
        {
            return live;
        }

        FileLease? lease = ReadLease(record.Lease);
        live = lease is not null && !lease.IsExpired(nowMs);
        cache?.Add(record.Lease, live);
        return live;
    }

    private long ReadRevision()
    {
        byte[]? bytes = AtomicFile.TryRead(_revisionPath);
        if (bytes is null)
        {
            return 0;
        }

        if (!long.TryParse(bytes.AsSpan().TrimEnd("\n"u8), NumberStyles.None, CultureInfo.InvariantCulture, out long revision))
        {
            throw new CoordinatorStoreException($"The file store revision counter {_revisionPath} is damaged; write the highest revision found in {_log.Directory} into it.");
        }

        return revision;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
