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

    /// <summary>How many ports the process remembers handing out, so it does not hand one out twice in a row.</summary>
    private const int RecentCapacity = 512;

    private static readonly Lock Gate = new();
    private static readonly Queue<int> RecentQueue = new();
    private static readonly HashSet<int> Recent = [];
    private static (int Low, int High)? _range;

    /// <summary>
    /// A free 127.0.0.1 port for a server we are about to start. It comes from below the kernel's ephemeral
    /// range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>): a port from inside that range (what binding port 0
    /// gives) can be taken as the source port of any outgoing connection between our check and the server's
    /// bind, which made tests fail with "address already in use" on a busy machine. Picked at random, so
    /// processes looking at the same time rarely pick the same one, and never one this process handed out lately.
    /// </summary>
    public static int Find() => FindMany(1)[0];

    /// <summary>Finds <paramref name="count"/> distinct free ports (see <see cref="Find"/>).</summary>
    public static IReadOnlyList<int> FindMany(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var (low, high) = _range ??= ServerRange();
        var ports = new int[count];
        lock (Gate)
        {
            for (var i = 0; i < count; i++)
            {
                ports[i] = Pick(low, high);
                Remember(ports[i]);
            }
        }

        return ports;
    }

    private static int Pick(int low, int high)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(low, high + 1);
            if (!Recent.Contains(port) && IsFree(port))
            {
                return port;
            }
        }

        // A crowded range: let the kernel choose (inside the ephemeral range, still free right now).
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static void Remember(int port)
    {
        if (Recent.Add(port))
        {
            RecentQueue.Enqueue(port);
            if (RecentQueue.Count > RecentCapacity)
            {
                Recent.Remove(RecentQueue.Dequeue());
            }
        }
    }

    /// <summary>Up to 12,000 ports just below the ephemeral range (20000-32767 with Linux's default 32768-60999).</summary>
    public static (int Low, int High) ServerRange()
    {
        var ephemeralLow = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (text.Length >= 1 && int.TryParse(text[0], System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                ephemeralLow = parsed;
            }
        }
        catch (IOException)
        {
            // Not Linux (or no /proc): assume the default range.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }

        var high = ephemeralLow - 1;
        var low = Math.Max(10_000, high - 12_767);
        return high - low >= 1_000 ? (low, high) : (10_000, 30_000);
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
