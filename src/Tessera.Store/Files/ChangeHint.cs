using System.Collections.Concurrent;

namespace Tessera.Store.Files;

/// <summary>
/// Wakes this store's watchers early when the revision counter file is replaced. Only a hint: inotify can
/// drop events or be unavailable (the per-user instance limit is small), so watchers poll anyway and this
/// merely shortens their wait.
/// </summary>
internal sealed class ChangeHint : IDisposable
{
    private readonly ConcurrentDictionary<SemaphoreSlim, byte> _waiters = new();
    private readonly FileSystemWatcher? _watcher;

    public ChangeHint(string directory, string fileName)
    {
        try
        {
            _watcher = new FileSystemWatcher(directory, fileName) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
            _watcher.Created += (_, _) => Signal();
            _watcher.Changed += (_, _) => Signal();
            _watcher.Renamed += (_, _) => Signal();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or ArgumentException)
        {
            // Out of inotify instances or no support: polling alone still works, only a little slower.
            Unavailable = e.Message;
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>Why notifications are off (null when they work); shown by diagnostics.</summary>
    public string? Unavailable { get; }

    /// <summary>A waiter released on every change; dispose it when the watch ends.</summary>
    public Subscription Subscribe()
    {
        var semaphore = new SemaphoreSlim(0, 1);
        _waiters.TryAdd(semaphore, 0);
        return new Subscription(this, semaphore);
    }

    public void Dispose() => _watcher?.Dispose();

    private void Signal()
    {
        foreach (SemaphoreSlim waiter in _waiters.Keys)
        {
            // At most one pending wake-up per watcher: a full semaphore means it is already due to look.
            if (waiter.CurrentCount == 0)
            {
                try
                {
                    waiter.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Raced with another signal; one wake-up is enough.
                }
                catch (ObjectDisposedException)
                {
                    // The watch just ended.
                }
            }
        }
    }

    /// <summary>One watcher's wake-up source.</summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly ChangeHint _owner;
        private readonly SemaphoreSlim _semaphore;

        public Subscription(ChangeHint owner, SemaphoreSlim semaphore)
        {
            _owner = owner;
            _semaphore = semaphore;
        }

        /// <summary>Waits for a change notification or <paramref name="timeout"/>, whichever comes first.</summary>
        public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);

        public void Dispose()
        {
            _owner._waiters.TryRemove(_semaphore, out _);
            _semaphore.Dispose();
        }
    }
}
