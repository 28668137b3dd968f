using System.Globalization;

namespace Tessera.Local.Servers;

/// <summary>
/// Finds and stops a redis-server that an earlier run left behind in a data directory, e.g. when
/// <c>tessera up</c> was killed with SIGKILL and could not stop its servers. Every server we start writes
/// <c>redis.pid</c> in its directory (Redis removes it on a clean shutdown), so a pid file that is still
/// there names a server that may still run. It is stopped only when that PID is a redis-server whose working
/// directory is this directory: a recycled PID belonging to something else is never touched.
/// </summary>
public static class LeftoverServer
{
    /// <summary>Name of the pid file in a server's directory.</summary>
    public const string PidFileName = "redis.pid";

    /// <summary>Bound on each wait: after SIGTERM, then after SIGKILL.</summary>
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Stops the redis-server left running in <paramref name="directory"/>, if any, and removes its pid file.
    /// Returns the PID that was stopped, or null when nothing was left running there. Linux only (reads /proc);
    /// elsewhere returns null.
    /// </summary>
    public static async Task<int?> StopAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = Path.GetFullPath(directory);
        var pidFile = Path.Combine(full, PidFileName);
        if (!OperatingSystem.IsLinux() || !File.Exists(pidFile))
        {
            return null;
        }

        var text = (await File.ReadAllTextAsync(pidFile, cancellationToken).ConfigureAwait(false)).Trim();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !IsOurRedis(pid, full))
        {
            // Stale file: its server is gone (or the PID now belongs to another program). Nothing to stop.
            File.Delete(pidFile);
            return null;
        }

        UnixSignals.Send(pid, UnixSignals.SigTerm);
        if (!await WaitGoneAsync(pid, cancellationToken).ConfigureAwait(false))
        {
            UnixSignals.Send(pid, UnixSignals.SigKill);
            if (!await WaitGoneAsync(pid, cancellationToken).ConfigureAwait(false))
            {
                throw new RedisServerException(string.Create(CultureInfo.InvariantCulture,
                    $"A redis-server left running in {full} (pid {pid}) did not exit after SIGTERM and SIGKILL; stop it yourself (kill -9 {pid}) and retry."));
            }
        }

        File.Delete(pidFile);
        return pid;
    }

    /// <summary>True when <paramref name="pid"/> runs redis-server with <paramref name="directory"/> as its working directory.</summary>
    internal static bool IsOurRedis(int pid, string directory)
    {
        var proc = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}");
        try
        {
            // redis-server rewrites its title to "redis-server 127.0.0.1:port"; the executable name is what counts.
            var commandLine = File.ReadAllText(Path.Combine(proc, "cmdline"));
            if (!commandLine.Contains("redis-server", StringComparison.Ordinal) || IsZombie(proc))
            {
                return false;
            }

            var cwd = new DirectoryInfo(Path.Combine(proc, "cwd")).LinkTarget;
            return cwd is not null && string.Equals(Path.TrimEndingDirectorySeparator(cwd), Path.TrimEndingDirectorySeparator(directory), StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or not ours to inspect: either way not something we may stop.
            return false;
        }
    }

    private static bool IsZombie(string proc)
    {
        // "pid (comm) state ...": the state follows the last ')'.
        var stat = File.ReadAllText(Path.Combine(proc, "stat"));
        var close = stat.LastIndexOf(')');
        return close > 0 && close + 2 < stat.Length && stat[close + 2] == 'Z';
    }

    private static async Task<bool> WaitGoneAsync(int pid, CancellationToken cancellationToken)
    {
        var proc = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}");
        var deadline = DateTime.UtcNow + ExitTimeout;
        while (true)
        {
            try
            {
                if (!Directory.Exists(proc) || IsZombie(proc))
                {
                    return true;
                }
            }
            catch (IOException)
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
