using System.Diagnostics;

namespace Tessera.Controller.Tests.Support;

/// <summary>
/// The real <c>tessera</c> executable as a child process (<c>dotnet tessera.dll …</c>), output collected line by
/// line (stderr prefixed "err: ") for waiting and for failure messages. Stopped by its PID on dispose.
/// </summary>
public sealed class TesseraProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    private TesseraProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    public static TesseraProcess Start(string name, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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
        using var run = Start("run", args);
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

    /// <summary>tessera.dll from the same build as these tests.</summary>
    public static string TesseraDll()
    {
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
        while (true)
        {
            lock (_gate)
            {
                var line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
                if (line is not null)
                {
                    return line;
                }
            }

            if (_process.HasExited)
            {
                await Task.Delay(200);
                throw new Xunit.Sdk.XunitException($"{Name} exited with code {_process.ExitCode} before printing '{text}'. Output:\n{Output}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new Xunit.Sdk.XunitException($"{Name} did not print '{text}' within {timeout.TotalSeconds} s. Output:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL, as a crash: no shutdown, leases are left to expire.</summary>
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
            // SIGTERM first so controllers step down and proxies deregister; SIGKILL if that hangs.
            using (var term = Process.Start("kill", $"-TERM {_process.Id}"))
            {
                term.WaitForExit(TimeSpan.FromSeconds(5));
            }

            if (!_process.WaitForExit(TimeSpan.FromSeconds(8)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }

        _process.Dispose();
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
    }
}
