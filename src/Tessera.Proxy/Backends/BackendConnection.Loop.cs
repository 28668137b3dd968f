using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Tessera.Proxy.Net;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Backends;

/// <remarks>
/// The socket side of a connection: a link starts on the first command after the connection was down, connects,
/// then runs a send loop (fed by the outgoing pipe) and a receive loop (one request popped per reply frame)
/// until it fails; <see cref="Fail"/> answers whatever was still queued on it and backs off before the next link.
/// </remarks>
internal sealed partial class BackendConnection
{
    /// <summary>
    /// Receive passes with more replies than this move the socket's completions to the thread pool,
    /// smaller ones bring them back to the event thread: a big pipelined batch (with its merges and
    /// client sends) must not hold up every other connection's events, while the few replies a pass
    /// carries for unpipelined clients are cheaper to handle where they arrive.
    /// </summary>
    private const int InlineReplyLimit = 64;

    private Link StartLinkLocked()
    {
        var link = new Link();
        _link = link;
        var login = _server.Login;
        link.Login = login;
        if (login?.Credentials is not null)
        {
            // First of all: log in with the namespace's backend credentials (a server with requirepass answers nothing
            // else, HELLO included, before AUTH).
            login.WriteAuth(link.Output.Writer);
            link.InFlight.Enqueue(new InFlightRequest(new LoginCheck(this, link, login), _time.GetTimestamp()));
            _pendingFlush = true;
        }

        if (_protocol == RespProtocol.Resp3)
        {
            // Before any command queued behind it: switch this connection to RESP3.
            RespWriter.WriteCommand(link.Output.Writer, "HELLO", "3");
            link.InFlight.Enqueue(new InFlightRequest(new Handshake(this, link, login), _time.GetTimestamp()));
            _pendingFlush = true;
        }

        if (Observer is { } observer)
        {
            // Restores the link's server-side state (CLIENT TRACKING) before anything queued behind it runs.
            var setup = new List<BackendRequest>(2);
            observer.OnLinkStarting(link.Output.Writer, setup);
            foreach (var request in setup)
            {
                link.InFlight.Enqueue(new InFlightRequest(request, _time.GetTimestamp()));
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
            var tls = link.Login?.Tls;
            if (_options.InlineSocketCompletions && tls is null)
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

            SslStream? stream = null;
            if (tls is not null)
            {
                stream = await StartTlsAsync(link, socket, tls).ConfigureAwait(false);
            }

            lock (_gate)
            {
                link.Socket = socket;
                link.Tls = stream;
                if (link.Dead)
                {
                    stream?.Dispose();
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
        catch (TlsLinkException ex)
        {
            socket?.Dispose();
            Fail(link, ex.Message);
        }
    }

    private static async Task SendAsync(Link link, Socket socket)
    {
        var reader = link.Output.Reader;
        var tls = link.Tls;
        while (true)
        {
            var result = await reader.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                if (tls is not null)
                {
                    await tls.WriteAsync(segment).ConfigureAwait(false);
                    continue;
                }

                int sent = 0;
                while (sent < segment.Length)
                {
                    sent += await socket.SendAsync(segment[sent..], SocketFlags.None).ConfigureAwait(false);
                }
            }

            if (tls is not null)
            {
                await tls.FlushAsync().ConfigureAwait(false);
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
        // One receive path for both: the pipe reads the socket's stream, or the TLS session over it.
        Stream input = link.Tls is { } tls ? tls : new NetworkStream(socket, ownsSocket: false);
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(pool: BlockMemoryPool.Shared, bufferSize: BlockMemoryPool.BlockSize, minimumReadSize: 4 * 1024, leaveOpen: link.Tls is not null));
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
                    link.Answered = true;
                    if (PushSink is { } sink)
                    {
                        // A subscribed connection: every frame is a message or a (un)subscribe confirmation.
                        sink(buffer.Slice(0, length), batch);
                        buffer = buffer.Slice(length);
                        continue;
                    }

                    BackendRequest? request;
                    long queuedAt = 0;
                    lock (_gate)
                    {
                        request = link.InFlight.TryDequeue(out var next) ? next.Request : null;
                        queuedAt = next.QueuedAt;
                        link.BusyReply = null;
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
                    _stats.Metrics?.RecordBackend(_server.MetricTags, _time.GetElapsedTime(queuedAt).TotalSeconds);
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
                    failure = TlsRefusal(link, null) ?? "connection closed by the server";
                    break;
                }

                // Read without the lock first (set once, under it): a late look only delays the close to the next pass or the timer.
                if (link.Retired && DrainedRetired(link))
                {
                    failure = "retired: the namespace's backend TLS changed";
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            failure = TlsRefusal(link, ex) ?? Describe(ex);
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

            while (link.InFlight.TryDequeue(out var unanswered))
            {
                failed.Add(unanswered.Request);
            }

            link.Output.Writer.Complete();
            socket = link.Socket;
            message = _disposed
                ? $"ERR backend {_server.Address} is closed: the proxy is shutting down"
                : $"ERR backend {_server.Address} failed: {reason}";
        }

        var retired = link.Retired && failed.Count == 0;
        if (!_disposed && !retired)
        {
            _server.CountFailure();
            _stats.BackendFailure(_server.Address, reason);
        }

        if (!_disposed && !retired && Observer is { } observer)
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

        link.Tls?.Dispose();
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

    /// <summary>An error reply's text without the '-' and the line end.</summary>
    private static string ErrorText(in ReadOnlySequence<byte> reply) => System.Text.Encoding.UTF8.GetString(reply.ToArray()).TrimStart('-').Trim();

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

    /// <summary>The reply to HELLO 3: swallowed; an error (a server without RESP3, or one that wants a password) fails the link with the reason.</summary>
    private sealed class Handshake(BackendConnection connection, Link link, BackendLogin? login) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            if (reply.FirstSpan[0] == (byte)'-')
            {
                var refusal = ErrorText(reply);
                connection.Fail(link, refusal.StartsWith("NOAUTH", StringComparison.Ordinal) && login is not null
                    ? login.Refused("NOAUTH")
                    : "it refused HELLO 3 (RESP3 needs Redis 6 or later): " + refusal);
            }
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
        }
    }

    /// <summary>
    /// The reply to the link's <c>AUTH</c> (first on the link, or again after the credentials changed): swallowed; a
    /// refusal (WRONGPASS, or AUTH to a server without a password) fails the link with a reason naming the namespace
    /// and the fix, which every request queued behind it answers at once (no hang), and the next link tries again.
    /// </summary>
    private sealed class LoginCheck(BackendConnection connection, Link link, BackendLogin login) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            if (reply.FirstSpan[0] == (byte)'-')
            {
                connection.Fail(link, login.Refused(ErrorText(reply)));
            }
        }

        public override void OnFailure(string error, FlushBatch batch)
        {
        }
    }
}
