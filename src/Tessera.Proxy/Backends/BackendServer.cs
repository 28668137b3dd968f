using System.Net;
using Tessera.Proxy.Hosting;
using Tessera.Proxy.Stats;

namespace Tessera.Proxy.Backends;

/// <summary>
/// One redis-server as the proxy sees it: a few multiplexed connections shared by every client
/// session. A session always uses the same connection of a server so its commands to that server
/// stay in order.
/// </summary>
internal sealed class BackendServer : IAsyncDisposable
{
    private readonly BackendConnection[] _connections;

    public BackendServer(string address, ProxyOptions options, TimeProvider time, ProxyStats stats)
    {
        Address = address;
        EndPoint = ParseEndPoint(address);
        _connections = new BackendConnection[Math.Max(1, options.ConnectionsPerBackend)];
        for (int i = 0; i < _connections.Length; i++)
        {
            _connections[i] = new BackendConnection(this, options, time, stats);
        }
    }

    /// <summary>"host:port" as written in the topology.</summary>
    public string Address { get; }

    public EndPoint EndPoint { get; }

    public IReadOnlyList<BackendConnection> Connections => _connections;

    /// <summary>The connection that carries session <paramref name="sessionId"/>'s commands to this server.</summary>
    public BackendConnection ConnectionFor(long sessionId) => _connections[(int)((ulong)sessionId % (ulong)_connections.Length)];

    /// <summary>True when at least one connection is up (or still being established).</summary>
    public bool IsAvailable
    {
        get
        {
            foreach (var connection in _connections)
            {
                if (connection.IsAvailable)
                {
                    return true;
                }
            }

            return false;
        }
    }

    internal void CheckTimeouts()
    {
        foreach (var connection in _connections)
        {
            connection.CheckTimeout();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Parses "host:port" (IPv6 as "[::1]:port"); host names are resolved at connect time.</summary>
    public static EndPoint ParseEndPoint(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out int port) || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{address}' is not a valid backend address: expected host:port, e.g. 127.0.0.1:6379");
        }

        var host = address[..colon].Trim('[', ']');
        return IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port);
    }
}
