using System.Runtime.InteropServices;

namespace Tessera.Local.Servers;

/// <summary>
/// The two libc calls .NET has no managed API for: sending SIGTERM to a process we started
/// (Process.Kill only sends SIGKILL) and reading the effective user id.
/// </summary>
internal static class UnixSignals
{
    public const int SigTerm = 15;

    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process is gone or not ours.</summary>
    public static bool Send(int pid, int signal) => OperatingSystem.IsWindows() ? false : NativeMethods.kill(pid, signal) == 0;

    /// <summary>True when this process runs as root.</summary>
    public static bool IsRoot() => !OperatingSystem.IsWindows() && NativeMethods.geteuid() == 0;

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks, which the build turns off.
        public static extern int kill(int pid, int sig);

        [DllImport("libc")]
        public static extern uint geteuid();
#pragma warning restore SYSLIB1054
    }
}
