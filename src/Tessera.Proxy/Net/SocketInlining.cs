using System.Net.Sockets;
using System.Reflection;

namespace Tessera.Proxy.Net;

/// <summary>
/// Runs a socket's completions on the runtime's socket event thread instead of a thread-pool worker.
/// </summary>
/// <remarks>
/// On Linux every socket completion is handed from the epoll thread to a thread-pool worker: a futex
/// wake and a context switch per receive. At one request per round trip that costs more CPU than the
/// proxy's own work (measured: 2.4 context switches and 7.9 syscalls per forwarded GET, 0.2 and 4.4
/// with both the client's and the backend's completions inline). The runtime can run a completion
/// inline on the epoll thread; its public switch is process-wide (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS),
/// but underneath it is a per-socket property, Socket.PreferInlineCompletions, internal and kept
/// settable by reflection on purpose (the runtime marks its setter with DynamicDependency for that).
/// The engine reads it at every event, so it may be changed while the socket is in use. Only for
/// sockets whose completions never block: every other socket's events wait behind them.
/// </remarks>
internal static class SocketInlining
{
    private static readonly Action<Socket, bool>? Setter = FindSetter();

    /// <summary>
    /// Asks for <paramref name="socket"/>'s completions to run inline (true) or on the thread pool (false);
    /// returns false when this runtime has no such switch (then nothing changes).
    /// </summary>
    public static bool TrySet(Socket socket, bool inline)
    {
        if (Setter is null)
        {
            return false;
        }

        Setter(socket, inline);
        return true;
    }

    private static Action<Socket, bool>? FindSetter()
    {
        // Windows completes through IOCP, where the property does nothing useful.
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            var property = typeof(Socket).GetProperty("PreferInlineCompletions", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
            var setter = property?.GetSetMethod(nonPublic: true);
            return setter is null || property!.PropertyType != typeof(bool)
                ? null
                : setter.CreateDelegate<Action<Socket, bool>>();
        }
        catch (Exception ex) when (ex is ArgumentException or MemberAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// One socket's adaptive setting: inline while the passes over its data stay small (at most a limit of
    /// commands or replies), on the thread pool while they are big, so a big batch never holds up the event thread.
    /// A mutable struct kept in a field of its owner and used by one reader at a time.
    /// </summary>
    internal struct Adaptive
    {
        private Socket? _socket;
        private int _limit;
        private bool _inline;

        /// <summary>Starts inline; false (and no adapting) when the runtime has no per-socket switch.</summary>
        public bool Enable(Socket socket, int limit)
        {
            if (!TrySet(socket, true))
            {
                return false;
            }

            (_socket, _limit, _inline) = (socket, limit, true);
            return true;
        }

        /// <summary>After a pass over <paramref name="count"/> commands or replies: small passes inline, big ones on the pool.</summary>
        public void Adapt(long count)
        {
            if (_socket is null)
            {
                return;
            }

            bool inline = count <= _limit;
            if (inline != _inline)
            {
                _inline = inline;
                TrySet(_socket, inline);
            }
        }
    }
}
