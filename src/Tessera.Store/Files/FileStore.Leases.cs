using System.Globalization;

namespace Tessera.Store.Files;

public sealed partial class FileStore
{
    public Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        StoreKeys.ValidateTtl(ttl);
        long ttlMs = (long)Math.Ceiling(ttl.TotalMilliseconds);
        return WriteAsync(
            tx =>
            {
                long id;
                do
                {
                    id = Random.Shared.NextInt64(1, long.MaxValue);
                }
                while (File.Exists(LeasePath(id)));

                tx.WriteLease(new FileLease(id, ttlMs, tx.NowMs + ttlMs, []));
                return id;
            },
            cancellationToken);
    }

    public async Task<bool> KeepAliveAsync(long lease, CancellationToken cancellationToken = default)
    {
        if (lease <= 0)
        {
            return false;
        }

        return await WriteAsync(
            tx =>
            {
                // Expired leases were swept when the transaction began, so a lease still here is alive.
                FileLease? document = ReadLease(lease);
                if (document is null)
                {
                    return false;
                }

                tx.WriteLease(document with { ExpiresAtMs = tx.NowMs + document.TtlMs });
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task RevokeLeaseAsync(long lease, CancellationToken cancellationToken = default)
    {
        if (lease <= 0)
        {
            return;
        }

        await WriteAsync(
            tx =>
            {
                FileLease? document = ReadLease(lease);
                if (document is not null)
                {
                    tx.RemoveLease(document);
                }

                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private List<FileLease> ReadAllLeases()
    {
        var leases = new List<FileLease>();
        foreach (string path in System.IO.Directory.EnumerateFiles(_leasesDirectory, "*.json"))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            byte[]? bytes = AtomicFile.TryRead(path);
            if (bytes is not null)
            {
                leases.Add(FileDocuments.ReadLease(bytes, path));
            }
        }

        return leases;
    }

    /// <summary>
    /// Lets watchers reap expired leases when nobody writes, so their records vanish (with delete events)
    /// within about one sweep interval. At most one check per interval per store instance.
    /// </summary>
    private async Task SweepIfDueAsync(CancellationToken cancellationToken)
    {
        long now = Environment.TickCount64;
        long due = Volatile.Read(ref _nextLeaseCheck);
        if (now < due || Interlocked.CompareExchange(ref _nextLeaseCheck, now + (long)_options.LeaseSweepInterval.TotalMilliseconds, due) != due)
        {
            return;
        }

        long nowMs = NowMs();
        foreach (FileLease lease in ReadAllLeases())
        {
            if (lease.IsExpired(nowMs))
            {
                // Every write sweeps first; an empty write is enough.
                await WriteAsync(static _ => true, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
    }
}
