using System.Buffers;
using System.IO.Pipelines;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Stats;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Backends;

/// <summary>
/// One multiplexed, pipelined connection to a backend server: shared by many client sessions, or held by one
/// (see <see cref="BackendConnectionKind"/>). This part is what sessions call; the socket's connect, send,
/// receive and failure loop is in BackendConnection.Loop.cs.
/// </summary>
/// <remarks>
/// Sessions append commands to an outgoing pipe under <see cref="_gate"/> and queue the matching
/// <see cref="BackendRequest"/> under the same lock, so the order of bytes on the wire and the order of
/// the in-flight queue always agree; the receive loop pops one request per reply frame. A socket's
/// lifetime is a <see cref="Link"/>: when it fails, every request still queued on it gets an error
/// (and nothing else), the link is dropped, and the next command after the backoff opens a new one.
/// While the server is known down, commands fail at once instead of waiting for a timeout.
/// </remarks>
internal sealed partial class BackendConnection : IAsyncDisposable
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);

    private readonly BackendServer _server;
    private readonly ProxyOptions _options;
    private readonly TimeProvider _time;
    private readonly ProxyStats _stats;
    private readonly RespProtocol _protocol;
    private readonly object _gate = new();
    private readonly TransactionSignal _transactions = new();
    private Link? _link;

    /// <summary>The last link retired by <see cref="Reconnect"/> while it still carried requests, so their timeouts are still checked.</summary>
    private Link? _retired;
    private bool _pendingFlush;
    private bool _disposed;
    private string _downReason = "not connected yet";
    private long _retryAt;
    private TimeSpan _backoff = InitialBackoff;

    public BackendConnection(BackendServer server, ProxyOptions options, TimeProvider time, ProxyStats stats, RespProtocol protocol = RespProtocol.Resp2, BackendConnectionKind kind = BackendConnectionKind.Shared)
    {
        _protocol = protocol;
        _server = server;
        _options = options;
        _time = time;
        _stats = stats;
        Kind = kind;
        Dedicated = kind != BackendConnectionKind.Shared;
    }

    /// <summary>What this connection is for.</summary>
    public BackendConnectionKind Kind { get; }

    /// <summary>
    /// True for every kind a single session holds for itself rather than one shared by every session:
    /// its requests have no timeout (BLPOP 0 waits forever) and its flushes send at once.
    /// </summary>
    public bool Dedicated { get; }

    /// <summary>Set on <see cref="BackendConnectionKind.Subscribed"/> connections: receives every frame instead of matching replies to requests.</summary>
    public Action<ReadOnlySequence<byte>, FlushBatch>? PushSink { get; init; }

    /// <summary>
    /// Set on <see cref="BackendConnectionKind.Tracking"/> connections, which carry ordinary requests and also receive
    /// RESP3 pushes (client tracking invalidations): frames starting with '>' go here, every other frame answers the oldest request.
    /// </summary>
    public Action<ReadOnlySequence<byte>, FlushBatch>? OutOfBandSink { get; init; }

    /// <summary>Told when a link starts (to restore server-side state) and when it is lost; null for most connections.</summary>
    public IBackendLinkObserver? Observer { get; init; }

    /// <summary>A transaction's EXEC goes out on this (dedicated) connection: route changes wait for <see cref="TransactionEnded"/>.</summary>
    public void OpenTransaction() => _transactions.Open();

    /// <summary>The EXEC sent after <see cref="OpenTransaction"/> was answered or failed.</summary>
    public void CloseTransaction() => _transactions.Close();

    /// <summary>Completes when no transaction is open on this connection (at once when none is).</summary>
    public Task TransactionEnded => _transactions.Ended;

    /// <summary>"host:port" of the server this connection talks to.</summary>
    public string ServerAddress => _server.Address;

    /// <summary>How the server is logged in to (its namespace's backend credentials); MIGRATE passes them on to the target.</summary>
    public BackendLogin? Login => _server.Login;

    /// <summary>Requests sent on this connection and not answered yet.</summary>
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

        if (link.BusyReply is { } busy)
        {
            // Stuck behind a script the server runs: answer as redis-server answers its other clients meanwhile.
            error = busy;
            Monitor.Exit(_gate);
            writer = null!;
            return false;
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
                _link!.InFlight.Enqueue(new InFlightRequest(request, _time.GetTimestamp()));
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

        // Down: whatever was in flight has already been failed.
        return TrySendPing(barrier) ? barrier.Completed : Task.CompletedTask;
    }

    /// <summary>Sends PING with <paramref name="request"/> for its reply, and flushes; false (nothing queued) while the server is down.</summary>
    public bool TrySendPing(BackendRequest request)
    {
        if (!TryBeginWrite(out var writer, out _))
        {
            return false;
        }

        try
        {
            RespWriter.WriteCommand(writer, "PING");
        }
        finally
        {
            EndWrite(request);
        }

        Flush();
        return true;
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

    private void FlushLocked(Link link)
    {
        _pendingFlush = false;
        link.SentUnanswered = link.InFlight.Count;

        // The pipe never pauses its writer (pauseWriterThreshold 0), so this completes synchronously.
        _ = link.Output.Writer.FlushAsync();
    }

    /// <summary>
    /// Logs the link that is up in again with <paramref name="login"/>: <c>AUTH</c> queued like any command, so what is in
    /// flight is answered first; a refusal fails the link (<see cref="LoginCheck"/>). Nothing when no link is up (the next
    /// one logs in with the server's current login) or on a subscribed connection (which takes no AUTH; its next link will).
    /// </summary>
    public void LogInAgain(BackendLogin login)
    {
        if (PushSink is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (_link is not { } link || link.BusyReply is not null)
            {
                return;
            }

            login.WriteAuth(link.Output.Writer);
            link.InFlight.Enqueue(new InFlightRequest(new LoginCheck(this, link, login), _time.GetTimestamp()));
            _pendingFlush = true;
            FlushLocked(link);
        }
    }

    /// <summary>
    /// Resets the connection when its oldest request waited longer than the request timeout, unless the server is
    /// running a long script (<see cref="ScriptBusyProbe"/>): then the connection waits for the script's reply, and
    /// new commands for it are answered the server's -BUSY until that reply arrives.
    /// </summary>
    public void CheckTimeout()
    {
        if (Dedicated)
        {
            return;
        }

        CheckRetiredTimeout();
        Link? link;
        BackendRequest head;
        long timedOutAt;
        lock (_gate)
        {
            link = _link;
            if (link is null || link.InFlight.Count == 0 || _time.GetElapsedTime(link.InFlight.Head.QueuedAt) < _options.RequestTimeout)
            {
                return;
            }

            head = link.InFlight.Head.Request;
            timedOutAt = link.InFlight.Head.QueuedAt + (long)(_options.RequestTimeout.TotalSeconds * _time.TimestampFrequency);
        }

        switch (_server.ScriptBusy.Check(timedOutAt, out string? busy))
        {
            case ScriptBusyAnswer.Pending:
                return;
            case ScriptBusyAnswer.Busy:
                lock (_gate)
                {
                    // Only while the request that timed out still waits (the script's); the receive loop clears it with that reply.
                    if (ReferenceEquals(_link, link) && link.InFlight.Count > 0 && ReferenceEquals(link.InFlight.Head.Request, head))
                    {
                        link.BusyReply = busy;
                    }
                }

                return;
        }

        Fail(link, $"no reply within {(long)_options.RequestTimeout.TotalMilliseconds} ms; connection reset");
    }

    public ValueTask DisposeAsync()
    {
        Link? link;
        Link? retired;
        lock (_gate)
        {
            _disposed = true;
            link = _link;
            retired = _retired;
        }

        if (link is not null)
        {
            Fail(link, "the proxy is shutting down");
        }

        if (retired is not null)
        {
            Fail(retired, "the proxy is shutting down");
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Barrier : BackendRequest
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completed => _done.Task;

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch) => _done.TrySetResult();

        public override void OnFailure(string error, FlushBatch batch) => _done.TrySetResult();
    }
}
