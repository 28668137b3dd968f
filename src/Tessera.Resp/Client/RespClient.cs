using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Tessera.Resp.Protocol;
using Tessera.Resp.Servers;
using Tessera.Resp.Values;

namespace Tessera.Resp.Client;

/// <summary>
/// A small, plain Redis client for tools, the control plane and tests: one connection, commands
/// answered in order, every wait bounded by <see cref="Timeout"/>. Not used on the proxy's hot path.
/// </summary>
/// <remarks>
/// <para>Not thread-safe: one operation at a time (a second concurrent call throws
/// <see cref="InvalidOperationException"/>). Give each task its own client.</para>
/// <para>Failures: a Redis error reply is a value of kind <see cref="RespKind.Error"/>, never an exception.
/// A timeout throws <see cref="TimeoutException"/>, a closed or failed connection <see cref="IOException"/>,
/// a reply that is not RESP <see cref="InvalidDataException"/>. After any of these the connection is closed
/// (a late reply would otherwise be taken for the next command's), and later calls throw <see cref="IOException"/>.</para>
/// </remarks>
public sealed partial class RespClient : IAsyncDisposable, IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    /// <summary>Buffers that grew past this for one big reply or command are dropped once empty.</summary>
    private const int KeepBufferSize = 1024 * 1024;

    private readonly Socket _socket;

    /// <summary>Set by <see cref="StartTlsAsync"/>: every byte then goes through it instead of the socket.</summary>
    private SslStream? _tls;
    private ArrayBufferWriter<byte> _output = new(InitialBufferSize);
    private byte[] _input = new byte[InitialBufferSize];
    private int _start;
    private int _end;

    /// <summary>Resumable scan of the reply at <see cref="_start"/>, so a big reply is walked once, not once per read.</summary>
    private ReplyScanState _scanner;

    /// <summary>Names of commands sent with <see cref="SendAsync"/> whose replies are unread, for error messages.</summary>
    private readonly Queue<string> _pending = new();
    private string? _broken;
    private bool _disposed;
    private int _busy;
    private TimeSpan _timeout = TimeSpan.FromSeconds(10);

    private RespClient(Socket socket, string endpoint, TimeSpan timeout)
    {
        _socket = socket;
        Endpoint = endpoint;
        Timeout = timeout;
    }

    /// <summary>Bound on every connect, send and reply wait (default 10 s); a timeout throws <see cref="TimeoutException"/>.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> waits forever (e.g. for BLPOP 0).</summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        set
        {
            if (value <= TimeSpan.Zero && value != System.Threading.Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Timeout must be positive, or Timeout.InfiniteTimeSpan to wait forever.");
            }

            // Longer than a timer can count is as good as forever.
            _timeout = value.TotalMilliseconds > int.MaxValue ? System.Threading.Timeout.InfiniteTimeSpan : value;
        }
    }

    /// <summary>"host:port" this client is connected to.</summary>
    public string Endpoint { get; } = "";

    /// <summary>Connects to "host:port" (IPv6 literals in brackets: "[::1]:6379"; see <see cref="ServerAddress"/>).</summary>
    public static Task<RespClient> ConnectAsync(string endpoint, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!ServerAddress.TryParse(endpoint, out ServerAddress address))
        {
            throw new ArgumentException($"'{endpoint}' is not an endpoint; write it as host:port, e.g. 127.0.0.1:6379.", nameof(endpoint));
        }

        return ConnectAsync(address, timeout, cancellationToken);
    }

    /// <summary>Connects to host:port. <paramref name="timeout"/> (default 10 s) bounds the attempt and becomes <see cref="Timeout"/>.</summary>
    /// <exception cref="TimeoutException">The connection was not established in time.</exception>
    /// <exception cref="IOException">The host could not be resolved or refused the connection.</exception>
    public static Task<RespClient> ConnectAsync(string host, int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        return ConnectAsync(new ServerAddress(host, port), timeout, cancellationToken);
    }

    /// <summary>Connects to <paramref name="server"/>. <paramref name="timeout"/> (default 10 s) bounds the attempt and becomes <see cref="Timeout"/>.</summary>
    /// <exception cref="TimeoutException">The connection was not established in time.</exception>
    /// <exception cref="IOException">The host could not be resolved or refused the connection.</exception>
    public static async Task<RespClient> ConnectAsync(ServerAddress server, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (server.Port == 0)
        {
            throw new ArgumentException("default(ServerAddress) names no server; parse or construct one", nameof(server));
        }

        string host = server.Host;
        int port = server.Port;
        TimeSpan bound = timeout ?? TimeSpan.FromSeconds(10);
        string endpoint = server.ToString();

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (bound != System.Threading.Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(bound);
        }

        Exception? last = null;
        try
        {
            IPAddress[] addresses = IPAddress.TryParse(host, out IPAddress? literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, timer.Token).ConfigureAwait(false);

            // Try each address in turn, each socket in its own family, so hosts without IPv6 work too.
            foreach (IPAddress address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, port), timer.Token).ConfigureAwait(false);
                    return new RespClient(socket, endpoint, bound);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    last = e;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Connecting to {endpoint} did not complete within {Describe(bound)}; check that the server is running and reachable.");
        }
        catch (SocketException e)
        {
            last = e;
        }

        throw new IOException($"Could not connect to {endpoint}: {last?.Message ?? "the host name resolved to no address"}. Check that the server is running and the address is right.", last);
    }

    /// <summary>True once <see cref="StartTlsAsync"/> succeeded.</summary>
    public bool IsTls => _tls is not null;

    /// <summary>
    /// Makes this (fresh) connection TLS: the handshake with <paramref name="options"/>, bounded by <see cref="Timeout"/>.
    /// Call it right after connecting, before any command. On failure the connection is closed and the handshake's
    /// exception (<see cref="System.Security.Authentication.AuthenticationException"/>, <see cref="IOException"/>) or a
    /// <see cref="TimeoutException"/> is thrown.
    /// </summary>
    public async Task StartTlsAsync(SslClientAuthenticationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enter();
        try
        {
            ThrowIfUnusable();
            if (_tls is not null || _end > 0)
            {
                throw new InvalidOperationException($"StartTlsAsync on {Endpoint} must come first, once, before any command.");
            }

            var tls = new SslStream(new NetworkStream(_socket, ownsSocket: true), leaveInnerStreamOpen: false);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (Timeout != System.Threading.Timeout.InfiniteTimeSpan)
            {
                timer.CancelAfter(Timeout);
            }

            try
            {
                await tls.AuthenticateAsClientAsync(options, timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw Break(new TimeoutException($"The TLS handshake with {Endpoint} did not complete within {Describe(Timeout)}; is it a TLS port (redis-server --tls-port)?"));
            }
            catch (Exception e)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                Break(e);
                throw;
            }

            _tls = tls;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Sends a command and waits for its reply. Arguments: string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long, double.
    /// A Redis error reply is returned as a value of kind Error, not thrown.</summary>
    /// <exception cref="InvalidOperationException">Replies to earlier <see cref="SendAsync"/> calls are still unread.</exception>
    public async Task<RespValue> CallAsync(params object[] args)
    {
        Enter();
        try
        {
            string command = Encode(args, requireNoPending: true);
            using CancellationTokenSource? timer = StartTimer();
            await SendOutputAsync(command, timer).ConfigureAwait(false);
            return await ReadReplyAsync(command, timer).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Synchronous <see cref="CallAsync"/>.</summary>
    public RespValue Call(params object[] args)
    {
        Enter();
        try
        {
            string command = Encode(args, requireNoPending: true);
            long deadline = Deadline();
            SendOutput(command, deadline);
            while (true)
            {
                if (TryTakeReply(out RespValue? reply))
                {
                    return reply;
                }

                Fill(command, deadline);
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Sends a command without waiting for the reply (pipelining); read it later with <see cref="ReadAsync"/>.</summary>
    public async Task SendAsync(params object[] args)
    {
        Enter();
        try
        {
            string command = Encode(args, requireNoPending: false);
            using CancellationTokenSource? timer = StartTimer();
            await SendOutputAsync(command, timer).ConfigureAwait(false);
            _pending.Enqueue(command);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Sends bytes as they are (inline commands, malformed input for fuzzing). Their replies are read with <see cref="ReadAsync"/>.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        Enter();
        try
        {
            ThrowIfUnusable();
            using CancellationTokenSource? timer = StartTimer();
            await SendAsync(bytes, "raw bytes", timer).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Reads the next reply. Throws <see cref="IOException"/> when the server closed the connection.</summary>
    public async Task<RespValue> ReadAsync()
    {
        Enter();
        try
        {
            ThrowIfUnusable();
            string command = _pending.Count > 0 ? _pending.Peek() : "the next reply";
            using CancellationTokenSource? timer = StartTimer();
            RespValue reply = await ReadReplyAsync(command, timer).ConfigureAwait(false);
            _pending.TryDequeue(out _);
            return reply;
        }
        finally
        {
            Exit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _disposed = true;
        _tls?.Dispose();
        _socket.Dispose();
    }

    /// <summary>Writes the command into the output buffer and returns its name for messages.</summary>
    private string Encode(object[] args, bool requireNoPending)
    {
        ThrowIfUnusable();
        if (args is null || args.Length == 0)
        {
            throw new ArgumentException("A command needs at least its name, e.g. CallAsync(\"PING\").", nameof(args));
        }

        if (requireNoPending && _pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"{_pending.Count} replies to commands sent with SendAsync (first: {_pending.Peek()}) are unread on {Endpoint}; read them with ReadAsync before calling Call/CallAsync.");
        }

        string command = args[0] switch
        {
            string s => s,
            byte[] b => Encoding.UTF8.GetString(b, 0, Math.Min(b.Length, 64)),
            ReadOnlyMemory<byte> m => Encoding.UTF8.GetString(m.Span[..Math.Min(m.Length, 64)]),
            var other => other?.ToString() ?? "(null)",
        };

        _output.ResetWrittenCount();
        RespWriter.WriteArrayHeader(_output, args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case string s: RespWriter.WriteBulkString(_output, s); break;
                case byte[] b: RespWriter.WriteBulkString(_output, b); break;
                case ReadOnlyMemory<byte> m: RespWriter.WriteBulkString(_output, m.Span); break;
                case Memory<byte> m: RespWriter.WriteBulkString(_output, m.Span); break;
                case int n: RespWriter.WriteBulkString(_output, n); break;
                case long n: RespWriter.WriteBulkString(_output, n); break;
                case double d: RespWriter.WriteBulkString(_output, d); break;
                default:
                    _output.ResetWrittenCount();
                    throw new ArgumentException(
                        $"Argument {i} of {command} is {(args[i] is null ? "null" : "a " + args[i].GetType().Name)}; RespClient accepts string, byte[], ReadOnlyMemory<byte>, int, long and double.",
                        nameof(args));
            }
        }

        return command;
    }
}
