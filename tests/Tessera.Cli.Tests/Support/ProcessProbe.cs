using System.Globalization;

namespace Tessera.Cli.Tests.Support;

/// <summary>Checks whether a PID is still a live process (Linux /proc; a zombie counts as gone: it has exited).</summary>
internal static class ProcessProbe
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
}
