using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Tessera.Proxy.Net;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Stats;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Backends;

/// <summary>
/// One multiplexed, pipelined connection to a backend server, shared by many client sessions.
/// </summary>
/// <remarks>
/// Sessions append commands to an outgoing pipe under <see cref="_gate"/> and queue the matching
/// <see cref="BackendRequest"/> under the same lock, so the order of bytes on the wire and the order of
/// the in-flight queue always agree; the receive loop pops one request per reply frame. A socket's
/// lifetime is a <see cref="Link"/>: when it fails, every request still queued on it gets an error
/// (and nothing else), the link is dropped, and the next command after the backoff opens a new one.
/// While the server is known down, commands fail at once instead of waiting for a timeout.
/// </remarks>
internal sealed class BackendConnection : IAsyncDisposable
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Receive passes with more replies than this move the socket's completions to the thread pool,
    /// smaller ones bring them back to the event thread: a big pipelined batch (with its merges and
    /// client sends) must not hold up every other connection's events, while the few replies a pass
    /// carries for unpipelined clients are cheaper to handle where they arrive.
    /// </summary>
    private const int InlineReplyLimit = 64;

    private readonly BackendServer _server;
    private readonly ProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ProxyStats _stats;
    private readonly object _gate = new();
    private Link? _link;
    private bool _pendingFlush;
    private bool _disposed;
    private string _downReason = "not connected yet";
    private long _retryAt;
    private TimeSpan _backoff = InitialBackoff;

    private readonly RespProtocol _protocol;

    public BackendConnection(BackendServer server, ProxyOptions options, TimeProvider time, ProxyStats stats, RespProtocol protocol = RespProtocol.Resp2)
    {
        _protocol = protocol;
        _server = server;
        _options = options;
        _time = time;
        _stats = stats;
    }

    /// <summary>
    /// For a connection a client session holds for itself (blocking commands, transactions, subscriptions)
    /// rather than one shared by every session: its requests have no timeout (BLPOP 0 waits forever).
    /// </summary>
    public bool Dedicated { get; init; }

    /// <summary>Set on subscribed connections: receives every frame instead of matching replies to requests.</summary>
    public Action<ReadOnlySequence<byte>, FlushBatch>? PushSink { get; init; }

    /// <summary>
    /// Set on connections that carry ordinary requests and also receive RESP3 pushes (client tracking
    /// invalidations): frames starting with '>' go here, every other frame answers the oldest request.
    /// </summary>
    public Action<ReadOnlySequence<byte>, FlushBatch>? OutOfBandSink { get; init; }

    /// <summary>Told when a link starts (to restore server-side state) and when it is lost; null for most connections.</summary>
    public IBackendLinkObserver? Observer { get; init; }

    /// <summary>
    /// True for dedicated connections that carry a session's keyed commands (client tracking): a route change
    /// drains them like the shared connections, since they are not blocked by design.
    /// </summary>
    public bool CarriesKeyedCommands { get; init; }

    /// <summary>Set while a transaction is open on this (dedicated) connection: route changes wait for its EXEC.</summary>
    public volatile bool TransactionOpen;

    /// <summary>Requests sent and not answered yet.</summary>
    public int InFlightCount
    {
        get
        {
            lock (_gate)
            {
                return _link?.InFlight.Count ?? 0;
            }
        }
    }

    /// <summary>"host:port" of the server this connection talks to.</summary>
    public string ServerAddress => _server.Address;

    /// <summary>False while the server is known down and the retry time has not come yet.</summary>
    public bool IsAvailable
    {
        get
        {
            lock (_gate)
            {
                return _link is not null || (!_disposed && _time.GetTimestamp() >= _retryAt);
            }
        }
    }

    /// <summary>Why the last link failed (for error messages and INFO).</summary>
    public string DownReason
    {
        get
        {
            lock (_gate)
            {
                return _downReason;
            }
        }
    }

    /// <summary>
    /// Takes the lock and gives the writer for one command. On true the caller writes the command and
    /// must call <see cref="EndWrite"/>; on false the server is down and <paramref name="error"/> says why.
    /// </summary>
    public bool TryBeginWrite(out PipeWriter writer, out string? error)
    {
        Monitor.Enter(_gate);
        var link = _link;
        if (link is null)
        {
            if (_disposed || _time.GetTimestamp() < _retryAt)
            {
                error = _disposed
                    ? $"ERR backend {_server.Address} is closed: the proxy is shutting down"
                    : $"ERR backend {_server.Address} is unavailable ({_downReason}); the proxy retries the connection automatically";
                Monitor.Exit(_gate);
                writer = null!;
                return false;
            }

            link = StartLinkLocked();
        }

        error = null;
        writer = link.Output.Writer;
        return true;
    }

    /// <summary>Queues <paramref name="request"/> for the command just written and releases the lock.</summary>
    public void EndWrite(BackendRequest request)
    {
        try
        {
            // Subscribed connections have no replies to match: their frames all go to the sink.
            if (PushSink is null)
            {
                _link!.InFlight.Enqueue(request, _time.GetTimestamp());
            }

            _pendingFlush = true;
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    /// <summary>Sends <paramref name="command"/> (already RESP) and queues <paramref name="request"/> for its reply. Call <see cref="Flush"/> after a batch.</summary>
    public void Send(in ReadOnlySequence<byte> command, BackendRequest request, FlushBatch batch)
    {
        if (!TryBeginWrite(out var writer, out var error))
        {
            request.OnFailure(error!, batch);
            return;
        }

        try
        {
            RespWriter.WriteRaw(writer, command);
        }
        finally
        {
            EndWrite(request);
        }
    }

    /// <summary>
    /// Completes once every request sent on this connection before the call has been answered (or failed):
    /// a PING queued behind them, since a connection answers in order. Used to drain in-flight requests
    /// before a route change is acknowledged.
    /// </summary>
    public Task BarrierAsync()
    {
        var barrier = new Barrier();
        if (!TryBeginWrite(out var writer, out _))
        {
            // Down: whatever was in flight has already been failed.
            return Task.CompletedTask;
        }

        try
        {
            RespWriter.WriteCommand(writer, "PING");
        }
        finally
        {
            EndWrite(barrier);
        }

        Flush();
        return barrier.Completed;
    }

    /// <summary>
    /// Hands everything written so far to the send loop (one wake-up per batch of commands), or leaves it
    /// for the receive loop to send with the next batch when replies to earlier sends are still due.
    /// </summary>
    /// <remarks>
    /// Holding the write while the server is still answering earlier commands lets the commands of many
    /// sessions leave in one send (one wake-up of the server) instead of one send per session, the way
    /// twemproxy batches its backend writes; the server would run them after the earlier ones anyway,
    /// and the reply that releases them is at most one round trip away. Dedicated connections send at
    /// once: a blocking command in flight must not hold back what follows it.
    /// </remarks>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_pendingFlush || _link is not { } link || (link.SentUnanswered > 0 && !Dedicated && _options.CoalesceBackendWrites))
            {
                return;
            }

            FlushLocked(link);
        }
    }

    /// <summary>Sends what <see cref="Flush"/> held back (called by the receive loop after a pass over replies).</summary>
    private void FlushHeld(Link link)
    {
        lock (_gate)
        {
            if (_pendingFlush && ReferenceEquals(_link, link))
            {
                FlushLocked(link);
            }
        }
    }

    private void FlushLocked(Link link)
    {
        _pendingFlush = false;
        link.SentUnanswered = link.InFlight.Count;

        // The pipe never pauses its writer (pauseWriterThreshold 0), so this completes synchronously.
        _ = link.Output.Writer.FlushAsync();
    }

    /// <summary>Resets the connection when its oldest request waited longer than the request timeout.</summary>
    public void CheckTimeout()
    {
        if (Dedicated)
        {
            return;
        }

        Link? link;
        lock (_gate)
        {
            link = _link;
            if (link is null || link.InFlight.Count == 0 || _time.GetElapsedTime(link.InFlight.OldestQueuedAt) < _options.RequestTimeout)
            {
                return;
            }
        }

        Fail(link, $"no reply within {(long)_options.RequestTimeout.TotalMilliseconds} ms; connection reset");
    }

    public ValueTask DisposeAsync()
    {
        Link? link;
        lock (_gate)
        {
            _disposed = true;
            link = _link;
        }

        if (link is not null)
        {
            Fail(link, "the proxy is shutting down");
        }

        return ValueTask.CompletedTask;
    }

    private Link StartLinkLocked()
    {
        var link = new Link();
        _link = link;
        if (_protocol == RespProtocol.Resp3)
        {
            // First on the wire, before any command queued behind it: switch this connection to RESP3.
            RespWriter.WriteCommand(link.Output.Writer, "HELLO", "3");
            link.InFlight.Enqueue(new Handshake(this, link), _time.GetTimestamp());
            _pendingFlush = true;
        }

        if (Observer is { } observer)
        {
            // Restores the link's server-side state (CLIENT TRACKING) before anything queued behind it runs.
            var setup = new List<BackendRequest>(2);
            observer.OnLinkStarting(link.Output.Writer, setup);
            foreach (var request in setup)
            {
                link.InFlight.Enqueue(request, _time.GetTimestamp());
            }

            _pendingFlush = true;
        }

        // Off this thread: the caller holds the lock and must not run connect/send/receive code under it.
        _ = Task.Run(() => RunLinkAsync(link));
        return link;
    }

    private async Task RunLinkAsync(Link link)
    {
        Socket? socket = null;
        try
        {
            socket = new Socket(_server.EndPoint.AddressFamily == System.Net.Sockets.AddressFamily.Unspecified ? System.Net.Sockets.AddressFamily.InterNetwork : _server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
            };
            if (_options.InlineSocketCompletions)
            {
                // A reply's work (match it, copy it to the client's pipe, send) never blocks, so it
                // runs on the socket event thread instead of waking a thread-pool worker per reply.
                link.Inlining.Enable(socket, InlineReplyLimit);
            }
            using (var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout))
            {
                try
                {
                    await socket.ConnectAsync(_server.EndPoint, connectTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"connect timed out after {(long)_options.ConnectTimeout.TotalMilliseconds} ms");
                }
            }

            lock (_gate)
            {
                link.Socket = socket;
                if (link.Dead)
                {
                    socket.Dispose();
                    return;
                }

                _backoff = InitialBackoff;
            }

            _ = ReceiveAsync(link, socket);
            await SendAsync(link, socket).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            socket?.Dispose();
            Fail(link, Describe(ex));
        }
    }

    private static async Task SendAsync(Link link, Socket socket)
    {
        var reader = link.Output.Reader;
        while (true)
        {
            var result = await reader.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                int sent = 0;
                while (sent < segment.Length)
                {
                    sent += await socket.SendAsync(segment[sent..], SocketFlags.None).ConfigureAwait(false);
                }
            }

            reader.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private async Task ReceiveAsync(Link link, Socket socket)
    {
        var batch = new FlushBatch();
        var reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), new StreamPipeReaderOptions(pool: BlockMemoryPool.Shared, bufferSize: BlockMemoryPool.BlockSize, minimumReadSize: 4 * 1024));
        string? failure = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                int frames = 0;
                while (true)
                {
                    var status = ReplyScanner.TryScan(buffer, ref link.Scan, out long length);
                    if (status == ParseStatus.Incomplete)
                    {
                        break;
                    }

                    if (status == ParseStatus.Error)
                    {
                        failure = "it sent bytes that are not RESP";
                        break;
                    }

                    if (OutOfBandSink is { } outOfBand && FirstByte(buffer) == (byte)'>')
                    {
                        // A RESP3 push (an invalidation) between replies: it answers no request.
                        outOfBand(buffer.Slice(0, length), batch);
                        buffer = buffer.Slice(length);
                        continue;
                    }

                    frames++;
                    if (PushSink is { } sink)
                    {
                        // A subscribed connection: every frame is a message or a (un)subscribe confirmation.
                        sink(buffer.Slice(0, length), batch);
                        buffer = buffer.Slice(length);
                        continue;
                    }

                    BackendRequest? request;
                    lock (_gate)
                    {
                        request = link.InFlight.TryDequeue();
                        if (link.SentUnanswered > 0)
                        {
                            link.SentUnanswered--;
                        }
                    }

                    if (request is null)
                    {
                        failure = link.Dead ? null : "it sent a reply nobody asked for";
                        break;
                    }

                    request.OnReply(buffer.Slice(0, length), batch);
                    buffer = buffer.Slice(length);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);

                // Commands held back while these replies were due go out first, so the server starts
                // on them while the replies are being written to the clients.
                FlushHeld(link);
                batch.FlushAll();
                link.Inlining.Adapt(frames);

                if (failure is not null || link.Dead)
                {
                    break;
                }

                if (result.IsCompleted)
                {
                    failure = "connection closed by the server";
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            failure = Describe(ex);
        }
        finally
        {
            batch.FlushAll();
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        if (failure is not null)
        {
            Fail(link, failure);
        }
    }

    /// <summary>Ends <paramref name="link"/>: every request still queued on it gets an error, then the connection backs off.</summary>
    private void Fail(Link link, string reason)
    {
        var failed = new List<BackendRequest>();
        Socket? socket;
        string message;
        lock (_gate)
        {
            if (link.Dead)
            {
                return;
            }

            link.Dead = true;
            if (ReferenceEquals(_link, link))
            {
                _link = null;
                _pendingFlush = false;
                _downReason = reason;
                _retryAt = _time.GetTimestamp() + (long)(_backoff.TotalSeconds * _time.TimestampFrequency);
                _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _options.MaxReconnectBackoff.Ticks));
            }

            link.InFlight.DrainTo(failed);
            link.Output.Writer.Complete();
            socket = link.Socket;
            message = _disposed
                ? $"ERR backend {_server.Address} is closed: the proxy is shutting down"
                : $"ERR backend {_server.Address} failed: {reason}";
        }

        if (!_disposed)
        {
            _stats.BackendFailure(_server.Address, reason);
        }

        if (!_disposed && Observer is { } observer)
        {
            var lostBatch = new FlushBatch();
            observer.OnLinkLost(reason, lostBatch);
            lostBatch.FlushAll();
        }

        try
        {
            socket?.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing left to shut down.
        }

        socket?.Dispose();
        if (failed.Count == 0)
        {
            return;
        }

        var batch = new FlushBatch();
        foreach (var request in failed)
        {
            request.OnFailure(message, batch);
        }

        batch.FlushAll();
    }

    private static byte FirstByte(in ReadOnlySequence<byte> buffer) => buffer.FirstSpan.Length > 0 ? buffer.FirstSpan[0] : buffer.Slice(0, 1).FirstSpan[0];

    private static string Describe(Exception ex) => ex switch
    {
        SocketException se => se.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.ConnectionReset => "connection reset by the server",
            SocketError.TimedOut => "connection timed out",
            SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
            _ => se.Message,
        },
        IOException { InnerException: SocketException inner } => Describe(inner),
        _ => ex.Message,
    };

    /// <summary>The reply to HELLO 3: swallowed; an error (a server without RESP3) fails the link with the reason.</summary>
    private sealed class Handshake(BackendConnection connection, Link link) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            if (reply.FirstSpan[0] == (byte)'-')
            {
                connection.Fail(link, "it refused HELLO 3 (RESP3 needs Redis 6 or later): " + System.Text.Encoding.UTF8.GetString(reply.ToArray()).Trim());
            }
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
        }
    }

    private sealed class Barrier : BackendRequest
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completed => _done.Task;

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch) => _done.TrySetResult();

        public override void OnFailure(string error, FlushBatch batch) => _done.TrySetResult();
    }

    /// <summary>One socket's lifetime: its outgoing pipe, its in-flight requests, its reply scanner state.</summary>
    private sealed class Link
    {
        public readonly Pipe Output = new(new PipeOptions(
            pool: BlockMemoryPool.Shared,
            pauseWriterThreshold: 0,
            resumeWriterThreshold: 0,
            minimumSegmentSize: BlockMemoryPool.BlockSize,

            // The send loop continues inline on the thread that flushes (a session ending its read
            // pass), so a batch of commands goes to the socket without a thread hop. It runs under
            // the connection's lock only until the socket send completes or would block.
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false));

        public readonly RequestRing InFlight = new();
        public ReplyScanState Scan;
        public Socket? Socket;
        public volatile bool Dead;

        /// <summary>Requests at the head of <see cref="InFlight"/> already handed to the send loop (guarded by the connection's lock).</summary>
        public int SentUnanswered;

        /// <summary>Where the socket's completions run (adapted by the receive loop only).</summary>
        public SocketInlining.Adaptive Inlining;
    }
}
