using System.Net;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Stats;
using Tessera.Resp.Protocol;
using Tessera.Resp.Servers;

namespace Tessera.Proxy.Backends;

/// <summary>
/// One redis-server as the proxy sees it: a few multiplexed connections shared by every client
/// session. A session always uses the same connection of a server so its commands to that server
/// stay in order.
/// </summary>
internal sealed class BackendServer : IAsyncDisposable
{
    private readonly BackendConnection[] _connections;
    private readonly ProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ProxyStats _stats;
    private BackendConnection[]? _resp3;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<BackendConnection, byte> _dedicated = new();

    public BackendServer(string address, ProxyOptions options, TimeProvider time, ProxyStats stats)
    {
        Address = address;
        EndPoint = ParseEndPoint(address);
        _options = options;
        _time = time;
        _stats = stats;
        _connections = CreateConnections(RespProtocol.Resp2);
        ScriptBusy = new ScriptBusyProbe(this, options, time);
    }

    /// <summary>The metric label of this server ("server" = its address), made once.</summary>
    public KeyValuePair<string, object?>[] MetricTags => _metricTags ??= [new("server", Address)];

    private KeyValuePair<string, object?>[]? _metricTags;
    private long _failures;

    /// <summary>Connections to this server that failed since the proxy started.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void CountFailure() => Interlocked.Increment(ref _failures);

    /// <summary>Requests sent to this server on its connections and not answered yet.</summary>
    public long InFlight
    {
        get
        {
            long sum = 0;
            foreach (var connection in Connections)
            {
                sum += connection.InFlightCount;
            }

            foreach (var connection in _dedicated.Keys)
            {
                sum += connection.InFlightCount;
            }

            return sum;
        }
    }

    /// <summary>Asked by a shared connection whose oldest request timed out: is this server running a long script?</summary>
    public ScriptBusyProbe ScriptBusy { get; }

    /// <summary>"host:port" as written in the topology.</summary>
    public string Address { get; }

    /// <summary>How links to this server log in, read when a link starts; null until a namespace's routes name it.</summary>
    public BackendLogin? Login => Volatile.Read(ref _login);

    private BackendLogin? _login;

    /// <summary>
    /// Takes a new login (its namespace's credentials or TLS changed, or arrived after the routes). When the TLS changed
    /// (set, rotated, removed), shared connections that are up move to new links at once, each old link closing once it
    /// answered what it carries; otherwise, with new credentials, they log in again in place (<c>AUTH</c> queued behind
    /// what they carry, so nothing in flight is lost). Dedicated ones (a blocked pop, a transaction, subscriptions) keep
    /// their session and use the new login from their next link.
    /// </summary>
    public void SetLogin(BackendLogin login)
    {
        var previous = Interlocked.Exchange(ref _login, login);
        if (previous is not null && previous.Tls?.Settings != login.Tls?.Settings)
        {
            foreach (var connection in Connections)
            {
                connection.Reconnect(login.Tls is null ? "the namespace's backend TLS was removed" : "the namespace's backend TLS changed");
            }

            return;
        }

        if (Equals(previous?.Credentials, login.Credentials) || login.Credentials is null)
        {
            return;
        }

        foreach (var connection in Connections)
        {
            connection.LogInAgain(login);
        }
    }

    public EndPoint EndPoint { get; }

    /// <summary>Every open-able connection: RESP2 ones, and RESP3 ones once a RESP3 client used this server.</summary>
    public IReadOnlyList<BackendConnection> Connections => Volatile.Read(ref _resp3) is { } resp3 ? [.. _connections, .. resp3] : _connections;

    /// <summary>
    /// The connection that carries session <paramref name="sessionId"/>'s commands to this server. Clients that
    /// chose RESP3 get connections that said HELLO 3 to the server, so replies are forwarded untouched in either
    /// protocol (no conversion on the hot path; measured as the cheaper option in docs/benchmarks.md).
    /// </summary>
    public BackendConnection ConnectionFor(long sessionId, RespProtocol protocol = RespProtocol.Resp2)
    {
        var connections = protocol == RespProtocol.Resp3 ? Resp3Connections() : _connections;
        return connections[(int)((ulong)sessionId % (ulong)connections.Length)];
    }

    /// <summary>
    /// Opens a connection for one session alone: <see cref="BackendConnectionKind.Dedicated"/> (blocking commands,
    /// transactions, WAIT), or <see cref="BackendConnectionKind.Subscribed"/> when <paramref name="pushSink"/> takes its frames.
    /// Sessions open them through <see cref="DedicatedConnections"/>, which counts them against the proxy's limit.
    /// </summary>
    public BackendConnection OpenDedicated(RespProtocol protocol, Action<System.Buffers.ReadOnlySequence<byte>, Replies.FlushBatch>? pushSink = null)
    {
        var kind = pushSink is null ? BackendConnectionKind.Dedicated : BackendConnectionKind.Subscribed;
        return Register(new BackendConnection(this, _options, _time, _stats, protocol, kind) { PushSink = pushSink });
    }

    /// <summary>
    /// Opens a <see cref="BackendConnectionKind.Tracking"/> connection (RESP3) for one session's keyed commands under
    /// client-side caching: invalidation pushes go to <paramref name="outOfBand"/>, and <paramref name="observer"/>
    /// re-enables tracking on every link. Opened through <see cref="DedicatedConnections"/>, like the others.
    /// </summary>
    public BackendConnection OpenTracking(IBackendLinkObserver observer, Action<System.Buffers.ReadOnlySequence<byte>, Replies.FlushBatch> outOfBand) =>
        Register(new BackendConnection(this, _options, _time, _stats, RespProtocol.Resp3, BackendConnectionKind.Tracking)
        {
            Observer = observer,
            OutOfBandSink = outOfBand,
        });

    private BackendConnection Register(BackendConnection connection)
    {
        _dedicated.TryAdd(connection, 0);
        return connection;
    }

    /// <summary>
    /// Closes a dedicated connection: the server drops whatever the session left there (a blocked pop, a WATCH, subscriptions).
    /// False when it was closed already (nothing done).
    /// </summary>
    public bool CloseDedicated(BackendConnection connection)
    {
        if (!_dedicated.TryRemove(connection, out _))
        {
            return false;
        }

        _ = connection.DisposeAsync();
        return true;
    }

    /// <summary>Dedicated connections currently open, for draining a route change.</summary>
    public IEnumerable<BackendConnection> DedicatedConnections => _dedicated.Keys;

    private BackendConnection[] Resp3Connections()
    {
        var resp3 = Volatile.Read(ref _resp3);
        if (resp3 is null)
        {
            var created = CreateConnections(RespProtocol.Resp3);
            resp3 = Interlocked.CompareExchange(ref _resp3, created, null) ?? created;
        }

        return resp3;
    }

    private BackendConnection[] CreateConnections(RespProtocol protocol)
    {
        var connections = new BackendConnection[Math.Max(1, _options.ConnectionsPerBackend)];
        for (int i = 0; i < connections.Length; i++)
        {
            connections[i] = new BackendConnection(this, _options, _time, _stats, protocol);
        }

        return connections;
    }

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
        foreach (var connection in Connections)
        {
            connection.CheckTimeout();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dedicated in _dedicated.Keys)
        {
            await dedicated.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var connection in Connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The socket endpoint of a <c>host:port</c> (<see cref="ServerAddress"/>); host names are resolved at connect time.</summary>
    /// <exception cref="FormatException">It is not <c>host:port</c>; the message shows the form expected.</exception>
    public static EndPoint ParseEndPoint(string address)
    {
        var parsed = ServerAddress.Parse(address);
        return IPAddress.TryParse(parsed.Host, out var ip) ? new IPEndPoint(ip, parsed.Port) : new DnsEndPoint(parsed.Host, parsed.Port);
    }
}
