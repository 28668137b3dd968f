using System.Diagnostics;

namespace Tessera.Store.Files;

/// <summary>
/// The file store's write lock: the lock file opened with <see cref="FileShare.None"/>, which .NET maps to
/// an exclusive <c>flock</c> on Linux. It excludes other processes and other store instances in this
/// process, and the kernel releases it when a process dies, so a crash never leaves a stale lock.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, retrying with short jittered waits for at most <paramref name="timeout"/>.</summary>
    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        int delayMs = 1;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1));
            }
            catch (IOException e)
            {
                if (Stopwatch.GetElapsedTime(started) >= timeout)
                {
                    throw new CoordinatorStoreException(
                        $"The file store lock {path} has been held by someone else for more than {timeout.TotalSeconds:0.#} s ({e.Message}). " +
                        "Another Tessera process may be stuck while writing; check what holds the file (lsof) or raise the lock timeout.",
                        e);
                }
            }

            // Jitter keeps several waiting processes from retrying in lock step.
            await Task.Delay(delayMs + Random.Shared.Next(delayMs + 1), cancellationToken).ConfigureAwait(false);
            delayMs = Math.Min(delayMs * 2, 16);
        }
    }

    public void Dispose() => _stream.Dispose();
}
