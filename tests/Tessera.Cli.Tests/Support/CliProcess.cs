using System.Diagnostics;
using System.Globalization;

namespace Tessera.Cli.Tests.Support;

/// <summary>
/// The real <c>tessera</c> executable run as a child process (<c>dotnet tessera.dll ...</c>), with its output
/// collected line by line so tests can wait for a line, send signals, and read everything on failure.
/// Disposing kills it and its children if it is still running.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _lineAdded = new(0);

    private CliProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything written so far, stdout and stderr interleaved, stderr lines prefixed with "err: ".</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static CliProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(TesseraDll());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Add(e.Data, "");
        process.ErrorDataReceived += (_, e) => cli.Add(e.Data, "err: ");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Path of tessera.dll from the same build as this test assembly.</summary>
    public static string TesseraDll()
    {
        // <artifacts>/bin/Tessera.Cli.Tests/<config>/ → <artifacts>/bin/Tessera.Cli/<config>/tessera.dll
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var config = Path.GetFileName(here);
        var sibling = Path.GetFullPath(Path.Combine(here, "..", "..", "Tessera.Cli", config, "tessera.dll"));
        if (File.Exists(sibling))
        {
            return sibling;
        }

        var local = Path.Combine(here, "tessera.dll");
        if (File.Exists(local) && File.Exists(Path.Combine(here, "tessera.runtimeconfig.json")))
        {
            return local;
        }

        throw new FileNotFoundException($"tessera.dll not found at {sibling} nor next to the tests in {here}; build src/Tessera.Cli first.");
    }

    /// <summary>Waits until a line contains <paramref name="text"/>; fails with the whole output on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = 0;
        while (true)
        {
            lock (_gate)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (_lines[seen].Contains(text, StringComparison.Ordinal))
                    {
                        return _lines[seen];
                    }
                }
            }

            if (_process.HasExited)
            {
                // Let the last lines arrive before giving up.
                await Task.Delay(200);
                lock (_gate)
                {
                    if (seen < _lines.Count)
                    {
                        continue;
                    }
                }

                throw new Xunit.Sdk.XunitException(string.Create(CultureInfo.InvariantCulture,
                    $"tessera exited with code {_process.ExitCode} before printing '{text}'. Output:\n{Output}"));
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new Xunit.Sdk.XunitException($"tessera did not print '{text}' within {timeout.TotalSeconds} s. Output:\n{Output}");
            }

            await _lineAdded.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Sends a signal by PID with the system's kill command (e.g. "TERM", "INT").</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", $"-{name} {_process.Id}");
        if (!kill.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("kill did not return within 10 s");
        }
    }

    /// <summary>Waits, bounded, for exit; false on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }

        return true;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // A failed test must not leave tessera or its redis-servers behind: kill the whole tree by PID.
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _lineAdded.Dispose();
    }

    private void Add(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(prefix + line);
        }

        _lineAdded.Release();
    }
}
