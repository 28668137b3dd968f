using System.Diagnostics;
using System.Globalization;

namespace Tessera.Testing;

/// <summary>
/// Processes by PID: whether one still lives (Linux /proc; a zombie counts as gone: it has exited) and sending it a
/// signal with the system's kill command (SIGSTOP/SIGCONT/SIGTERM/SIGKILL of our own children).
/// </summary>
public static class ProcessProbe
{
    public static bool IsAlive(int pid)
    {
        var stat = string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat");
        try
        {
            // Format: "pid (comm) state ..."; comm may contain spaces, so read the state after the last ')'.
            var text = File.ReadAllText(stat);
            var close = text.LastIndexOf(')');
            return close < 0 || close + 2 >= text.Length || text[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Waits, bounded, until <paramref name="pid"/> is gone; false on timeout.</summary>
    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary><c>kill -SIGNAL pid</c> (e.g. "TERM", "STOP", "CONT"); throws when kill does not return within 10 s; a process that is gone already is not an error (fixtures thaw what a test may have killed).</summary>
    public static void Signal(int pid, string signal)
    {
        var start = new ProcessStartInfo("kill", string.Create(CultureInfo.InvariantCulture, $"-{signal} {pid}"))
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        using var kill = Process.Start(start) ?? throw new InvalidOperationException("kill did not start");
        if (!kill.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("kill did not return within 10 s");
        }
    }
}
