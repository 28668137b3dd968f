using System.Diagnostics;

namespace Tessera.Local.Servers;

/// <summary>The outcome of looking for redis-server: where it is, or what to do to get it.</summary>
/// <param name="Path">Full path of the executable when found.</param>
/// <param name="Message">What is wrong and what to do, when not found.</param>
public sealed record RedisCheckResult(string? Path, string? Message)
{
    /// <summary>True when redis-server can be started.</summary>
    public bool IsAvailable => Path is not null;
}

/// <summary>
/// Finds redis-server on PATH and, when it is missing and we may, installs Debian's package.
/// Installing happens only as root on Debian/Ubuntu (CI containers, fresh machines); everyone else gets
/// the exact command to run.
/// </summary>
public static class RedisInstaller
{
    /// <summary>What to tell a user who has no redis-server.</summary>
    public const string NotFoundMessage = "redis-server not found: install it with `sudo apt-get install redis-server`";

    /// <summary>Bound on each apt-get step; a slow mirror can take minutes, a hung one must not hang us.</summary>
    private static readonly TimeSpan AptTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Looks for <paramref name="executable"/> on PATH (or checks it when it is a path).</summary>
    public static RedisCheckResult Check(string executable = "redis-server")
    {
        ArgumentNullException.ThrowIfNull(executable);
        var path = FindExecutable(executable);
        return path is not null ? new RedisCheckResult(path, null) : new RedisCheckResult(null, NotFoundMessage);
    }

    /// <summary>
    /// Like <see cref="Check"/>, but when redis-server is missing and we run as root on Debian/Ubuntu, runs
    /// <c>apt-get update &amp;&amp; apt-get install -y redis-server redis-tools</c> (its output goes to our console)
    /// and checks again. <paramref name="log"/> receives one line saying what is being done.
    /// </summary>
    public static async Task<RedisCheckResult> EnsureInstalledAsync(TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        var first = Check();
        if (first.IsAvailable || !CanInstall())
        {
            return first;
        }

        await log.WriteLineAsync("redis-server not found; installing Debian's redis-server and redis-tools with apt-get (running as root)...").ConfigureAwait(false);
        var update = await RunAptAsync(["update"], cancellationToken).ConfigureAwait(false);
        if (update != 0)
        {
            return new RedisCheckResult(null, $"apt-get update failed with exit code {update}; fix apt (network, sources) and retry. {NotFoundMessage}");
        }

        var install = await RunAptAsync(["install", "-y", "redis-server", "redis-tools"], cancellationToken).ConfigureAwait(false);
        if (install != 0)
        {
            return new RedisCheckResult(null, $"apt-get install -y redis-server redis-tools failed with exit code {install}. {NotFoundMessage}");
        }

        var second = Check();
        return second.IsAvailable
            ? second
            : new RedisCheckResult(null, $"apt-get installed redis-server but it is still not on PATH ({Environment.GetEnvironmentVariable("PATH")}); add /usr/bin to PATH.");
    }

    /// <summary>True when we may install packages ourselves: root on a Debian-family system.</summary>
    public static bool CanInstall() => File.Exists("/etc/debian_version") && UnixSignals.IsRoot();

    private static string? FindExecutable(string executable)
    {
        if (executable.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(executable) ? Path.GetFullPath(executable) : null;
        }

        var pathVariable = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in pathVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, executable);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task<int> RunAptAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("apt-get") { UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No questions from debconf: there is nobody to answer them.
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start apt-get.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"apt-get {string.Join(' ', args)} did not finish within {AptTimeout.TotalMinutes:0} minutes (or was cancelled); it was stopped.");
        }

        return process.ExitCode;
    }
}
