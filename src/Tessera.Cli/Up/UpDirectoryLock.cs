using Tessera.Cli.Hosting;

namespace Tessera.Cli.Up;

/// <summary>
/// An exclusive lock on <c>&lt;dir&gt;/up.lock</c> held while <c>tessera up</c> runs, so a second run on the same
/// directory stops at once instead of stopping the first one's redis-servers (which it would take for the
/// leftovers of a killed run) and wiping its store. The lock is an flock: it goes with the process, so a
/// killed run never leaves it behind.
/// </summary>
internal sealed class UpDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private UpDirectoryLock(FileStream file)
    {
        _file = file;
    }

    /// <summary>Takes the lock, creating <paramref name="directory"/> if needed.</summary>
    /// <exception cref="UpException">Another process holds it.</exception>
    public static UpDirectoryLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "up.lock");
        try
        {
            // FileShare.None is an exclusive, non-blocking flock on Unix; the handle is close-on-exec, so the
            // redis-servers we start do not inherit it.
            return new UpDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new UpException(ExitCodes.Usage,
                $"Another `tessera up` is running with --dir {directory} (it holds {path}): stop it first, or give this one another --dir.", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
