using System.Net;
using System.Net.Sockets;

namespace Tessera.Local.Networking;

/// <summary>
/// Finds and checks loopback TCP ports. A port reported free can still be taken by someone else
/// before we bind it, so callers that start a server confirm afterwards that their own process holds it
/// (see <see cref="Servers.RedisServerProcess"/>).
/// </summary>
public static class FreePort
{
    /// <summary>Lowest port accepted for servers we start; below it are privileged or well-known ports.</summary>
    public const int MinPort = 1024;

    /// <summary>Asks the kernel for a free 127.0.0.1 port (binds port 0, reads the port, releases it).</summary>
    public static int Find()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Finds <paramref name="count"/> distinct free ports.</summary>
    public static IReadOnlyList<int> FindMany(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);

        // Hold every socket until all are chosen, so the kernel cannot hand out the same port twice.
        var sockets = new List<Socket>(count);
        try
        {
            var ports = new int[count];
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                ports[i] = ((IPEndPoint)socket.LocalEndPoint!).Port;
            }

            return ports;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// True when nothing listens on 127.0.0.1:<paramref name="port"/>: a listener can bind it right now.
    /// A listener on 0.0.0.0 for the same port also makes it busy.
    /// </summary>
    public static bool IsFree(int port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);

        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
            listener.Dispose();
        }
    }

    /// <summary>Waits, bounded by <paramref name="timeout"/>, until <paramref name="port"/> is free; false on timeout.</summary>
    public static async Task<bool> WaitUntilFreeAsync(int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (IsFree(port))
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
