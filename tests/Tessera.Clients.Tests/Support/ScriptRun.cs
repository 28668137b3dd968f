using System.Diagnostics;
using System.Text;

namespace Tessera.Clients.Tests.Support;

/// <summary>The outcome of one external program run: exit code, both outputs, and whether it was killed for time.</summary>
public sealed record ScriptRun(string CommandLine, int ExitCode, string Stdout, string Stderr, bool TimedOut, TimeSpan Elapsed)
{
    /// <summary>Everything a failure message needs: the command, how it ended, and what it printed.</summary>
    public override string ToString()
    {
        string ending = TimedOut ? $"killed after {Elapsed.TotalSeconds:0.0} s (timeout)" : $"exit code {ExitCode} after {Elapsed.TotalSeconds:0.0} s";
        return $"{CommandLine}\n{ending}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/>, feeding <paramref name="stdin"/> (then closing it)
    /// and killing the process (and its children) when it outlives <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ScriptRun> StartAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        string commandLine = string.Join(' ', info.ArgumentList.Prepend(fileName).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ScriptRun(commandLine, -1, "", $"could not start {fileName}: {ex.Message}", false, clock.Elapsed);
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited without reading its input; its output says why.
        }

        bool timedOut = false;
        using (var deadline = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                // Only the process this run started (and what it started), by its handle.
                process.Kill(entireProcessTree: true);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(grace.Token);
            }
        }

        return new ScriptRun(commandLine, timedOut ? -1 : process.ExitCode, await DrainAsync(stdout), await DrainAsync(stderr), timedOut, clock.Elapsed);
    }

    // A grandchild that inherited the pipe could keep it open after the program exited: never wait on it for long.
    private static async Task<string> DrainAsync(Task<string> output)
    {
        try
        {
            return await output.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            return "(output still open 10 s after the program ended; not shown)";
        }
    }
}
