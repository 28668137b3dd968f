using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Replies;

/// <summary>
/// One client's output: its replies in request order and the pipe they are written to (architecture §6).
/// </summary>
/// <remarks>
/// Every command takes a <see cref="Reply"/> at the tail of the queue (<see cref="Enqueue"/>). Whoever completes
/// a reply (a backend receive loop, a split merge, the read loop) takes the lock: if the reply is at the head,
/// its bytes are copied straight from the backend's buffer into the client's output pipe (the one copy),
/// followed by any later replies already stored; otherwise the bytes are stored in the reply until the head
/// arrives. Output is flushed once per pass through a <see cref="FlushBatch"/>. When the client reads too
/// slowly and a flush cannot complete at once, the output is "blocked": replies are stored and a continuation
/// drains them when the flush ends, so no backend thread ever waits for a client. This type knows nothing of
/// sessions, so backends and merges complete replies without referring to them.
/// </remarks>
internal sealed class SessionOutput
{
    private readonly object _gate = new();
    private readonly PipeWriter _output;
    private readonly int _maxPending;

    // Times each command when its reply completes (null: the proxy serves no metrics).
    private readonly Stats.ProxyMetrics? _metrics;
    private readonly Ring<Reply> _queue = new(16);
    private readonly Stack<Reply> _free = new();
    private bool _flushScheduled;
    private bool _outputBlocked;
    private bool _closed;
    private TaskCompletionSource? _roomWaiter;
    private TaskCompletionSource? _drainWaiter;

    /// <summary>With <see cref="_drainWaiter"/>: it completes once this reply is at the head (every earlier one written), or the queue is empty.</summary>
    private Reply? _drainBefore;

    /// <param name="output">The client connection's output pipe.</param>
    /// <param name="maxPending">The number of owed replies at which <see cref="WaitForRoomAsync"/> waits (it resumes at half).</param>
    private long _bytesWritten;

    /// <summary>Reply and push bytes written to the client so far (what a namespace's bytes/s-out quota charges).</summary>
    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    public SessionOutput(PipeWriter output, int maxPending, Stats.ProxyMetrics? metrics = null)
    {
        _output = output;
        _maxPending = maxPending;
        _metrics = metrics;
    }

    /// <summary>Replies owed to the client (taken but not yet written).</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>True once the client's output is closed: later replies are dropped.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>Takes the next place in the reply order.</summary>
    public Reply Enqueue()
    {
        lock (_gate)
        {
            var reply = _free.Count > 0 ? _free.Pop() : new Reply(this);
            _queue.Enqueue(reply);
            return reply;
        }
    }

    /// <summary>Completes <paramref name="reply"/> with <paramref name="bytes"/> (a whole RESP value).</summary>
    public void Complete(Reply reply, in ReadOnlySequence<byte> bytes, FlushBatch batch)
    {
        if (reply.Metric is { } metric && _metrics is { } metrics)
        {
            // The command's time in the proxy ends when its reply is complete, whether written now or after the ones before it.
            reply.Metric = null;
            var first = bytes.FirstSpan;
            metrics.RecordCommand(metric, System.Diagnostics.Stopwatch.GetElapsedTime(reply.StartedAt).TotalSeconds, first.Length > 1 && first[0] == (byte)'-' ? first[1..] : default);
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (!_outputBlocked && ReferenceEquals(Head, reply))
            {
                _queue.TryDequeue(out _);
                if (!reply.Silent)
                {
                    WriteLocked(bytes);
                }

                RecycleLocked(reply);
                DrainLocked();
            }
            else
            {
                reply.Store(reply.Silent ? default : bytes);
            }

            ScheduleFlushLocked(batch);
        }
    }

    /// <summary>
    /// An out-of-band frame (a pub/sub message) for the client: written now when nothing is owed before it,
    /// otherwise queued behind the replies already owed.
    /// </summary>
    public void Push(in ReadOnlySequence<byte> bytes, FlushBatch batch)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (!_outputBlocked && _queue.Count == 0)
            {
                WriteLocked(bytes);
            }
            else
            {
                var reply = _free.Count > 0 ? _free.Pop() : new Reply(this);
                reply.Store(bytes);
                _queue.Enqueue(reply);
            }

            ScheduleFlushLocked(batch);
        }
    }

    /// <summary>Completes <paramref name="reply"/> with an error line such as "ERR backend ... failed" (line breaks become spaces).</summary>
    public void CompleteError(Reply reply, string error, FlushBatch batch)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(error) + 3];
        bytes[0] = (byte)'-';
        int n = Encoding.UTF8.GetBytes(error, bytes.AsSpan(1));
        for (int i = 1; i <= n; i++)
        {
            if (bytes[i] is (byte)'\r' or (byte)'\n')
            {
                bytes[i] = (byte)' ';
            }
        }

        bytes[n + 1] = (byte)'\r';
        bytes[n + 2] = (byte)'\n';
        Complete(reply, new ReadOnlySequence<byte>(bytes), batch);
    }

    /// <summary>Sends what has been written to the client. Never waits: a slow client blocks only its own output.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            _flushScheduled = false;
            if (_closed || _outputBlocked)
            {
                return;
            }

            ValueTask<FlushResult> flush;
            try
            {
                flush = _output.FlushAsync();
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
            {
                CloseLocked();
                return;
            }

            if (flush.IsCompletedSuccessfully)
            {
                if (flush.Result.IsCompleted)
                {
                    CloseLocked();
                }

                return;
            }

            _outputBlocked = true;
            _ = AwaitBlockedFlushAsync(flush);
        }
    }

    /// <summary>Waits while <see cref="PendingCount"/> is at the limit given at construction (until it falls to half), or the output closed.</summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_closed || _queue.Count < _maxPending)
            {
                return Task.CompletedTask;
            }

            _roomWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _roomWaiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Waits until every reply owed so far has been written to the client — or, with <paramref name="before"/>,
    /// every reply queued before that one — or the output closed. False when <paramref name="timeout"/> passed first.
    /// </summary>
    /// <remarks>One waiter at a time: the session's read loop is paused while it waits (protocol switch, RESET, WAIT, close).</remarks>
    public async Task<bool> WaitForRepliesAsync(TimeSpan timeout, CancellationToken cancellationToken, Reply? before = null)
    {
        Task wait;
        lock (_gate)
        {
            if (_closed || _queue.Count == 0 || ReferenceEquals(Head, before))
            {
                return true;
            }

            if (_drainWaiter is null)
            {
                _drainWaiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _drainBefore = before;
            }

            wait = _drainWaiter.Task;
        }

        try
        {
            await wait.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            // Give up on replies that never came; the caller decides what that means.
            return false;
        }
    }

    /// <summary>Ends the output: what was written is sent, later replies are dropped, pooled buffers go back.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (!_closed && !_outputBlocked)
            {
                try
                {
                    // Kestrel sends what is left in the pipe when the connection handler returns.
                    _ = _output.FlushAsync();
                }
                catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
                {
                    // The client is gone; nothing more to send.
                }
            }

            CloseLocked();
            while (_queue.TryDequeue(out var owed))
            {
                owed.Release();
            }

            _free.Clear();
        }
    }

    private async Task AwaitBlockedFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            var result = await flush.ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                lock (_gate)
                {
                    CloseLocked();
                }

                return;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            lock (_gate)
            {
                CloseLocked();
            }

            return;
        }

        lock (_gate)
        {
            _outputBlocked = false;
            if (_closed)
            {
                return;
            }

            DrainLocked();
        }

        Flush();
    }

    /// <summary>The reply at the head of the order, null when none is owed (under the lock).</summary>
    private Reply? Head => _queue.Count == 0 ? null : _queue.Head;

    private void ScheduleFlushLocked(FlushBatch batch)
    {
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            batch.Add(this);
        }
    }

    /// <summary>Writes every completed reply at the head of the order.</summary>
    private void DrainLocked()
    {
        while (Head is { Done: true } head)
        {
            _queue.TryDequeue(out _);
            WriteLocked(head.Stored);
            RecycleLocked(head);
        }

        if (_roomWaiter is not null && _queue.Count < _maxPending / 2)
        {
            _roomWaiter.TrySetResult();
            _roomWaiter = null;
        }

        if (_drainWaiter is not null && (_queue.Count == 0 || ReferenceEquals(Head, _drainBefore)))
        {
            _drainWaiter.TrySetResult();
            _drainWaiter = null;
            _drainBefore = null;
        }
    }

    private void WriteLocked(in ReadOnlySequence<byte> bytes)
    {
        try
        {
            Volatile.Write(ref _bytesWritten, _bytesWritten + bytes.Length);
            RespWriter.WriteRaw(_output, bytes);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
        {
            CloseLocked();
        }
    }

    private void RecycleLocked(Reply reply)
    {
        reply.Reset();
        if (_free.Count < 256)
        {
            _free.Push(reply);
        }
    }

    private void CloseLocked()
    {
        _closed = true;
        _roomWaiter?.TrySetResult();
        _drainWaiter?.TrySetResult();
    }
}
