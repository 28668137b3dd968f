using System.Diagnostics;
using System.Globalization;

namespace Tessera.Testing;

/// <summary>What one CLI run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// The real <c>tessera</c> executable as a child process (<c>dotnet tessera.dll …</c>), output collected line by
/// line (stderr prefixed "err: ") so tests can wait for a line, send signals, and read everything on failure.
/// Disposing stops it by its PID: SIGTERM first (controllers step down, proxies deregister, <c>tessera up</c> stops
/// its redis-servers), then the whole process tree is killed if that hangs.
/// </summary>
public sealed class TesseraProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _lineAdded = new(0);

    private TesseraProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>What failure messages call it ("tessera" unless started by <see cref="StartNamed"/>).</summary>
    public string Name { get; }

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

    /// <summary>Starts <c>tessera <paramref name="args"/></c>.</summary>
    public static TesseraProcess Start(params string[] args) => StartNamed("tessera", args);

    /// <summary>Starts <c>tessera <paramref name="args"/></c>, called <paramref name="name"/> in failure messages.</summary>
    public static TesseraProcess StartNamed(string name, params string[] args)
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
        var tessera = new TesseraProcess(process, name);
        process.OutputDataReceived += (_, e) => tessera.Add(e.Data, "");
        process.ErrorDataReceived += (_, e) => tessera.Add(e.Data, "err: ");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tessera;
    }

    /// <summary>Runs tessera to completion (bounded) and returns its exit code and output.</summary>
    public static async Task<CliResult> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var run = StartNamed("run", args);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await run._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"tessera {string.Join(' ', args)} did not exit within {timeout.TotalSeconds} s. Output:\n{run.Output}");
        }

        // WaitForExit without a timeout after exit drains the redirected streams.
        run._process.WaitForExit();
        var lines = run.Output.Split('\n');
        return new CliResult(
            run._process.ExitCode,
            string.Join('\n', lines.Where(l => !l.StartsWith("err: ", StringComparison.Ordinal))),
            string.Join('\n', lines.Where(l => l.StartsWith("err: ", StringComparison.Ordinal)).Select(l => l[5..])));
    }

    /// <summary>Path of tessera.dll from the same build as the running test assembly.</summary>
    public static string TesseraDll()
    {
        // <artifacts>/bin/<tests>/<config>/ → <artifacts>/bin/Tessera.Cli/<config>/tessera.dll
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var sibling = Path.GetFullPath(Path.Combine(here, "..", "..", "Tessera.Cli", Path.GetFileName(here), "tessera.dll"));
        if (File.Exists(sibling))
        {
            return sibling;
        }

        var local = Path.Combine(here, "tessera.dll");
        return File.Exists(local) && File.Exists(Path.Combine(here, "tessera.runtimeconfig.json"))
            ? local
            : throw new FileNotFoundException($"tessera.dll not found at {sibling} nor next to the tests in {here}; build src/Tessera.Cli first.");
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
                    $"{Name} exited with code {_process.ExitCode} before printing '{text}'. Output:\n{Output}"));
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new Xunit.Sdk.XunitException($"{Name} did not print '{text}' within {timeout.TotalSeconds} s. Output:\n{Output}");
            }

            await _lineAdded.WaitAsync(left < TimeSpan.FromMilliseconds(250) ? left : TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Sends a signal by PID (e.g. "TERM", "INT", "KILL").</summary>
    public void Signal(string name) => ProcessProbe.Signal(_process.Id, name);

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

    /// <summary>SIGKILL of the whole tree, as a crash: no shutdown, leases are left to expire.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first so controllers step down and proxies deregister; SIGKILL of the tree if that hangs,
            // so a failed test leaves neither tessera nor its redis-servers behind.
            try
            {
                ProcessProbe.Signal(_process.Id, "TERM");
            }
            catch (TimeoutException)
            {
                // Killed below.
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(8)))
            {
                Kill();
            }
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
