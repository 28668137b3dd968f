using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Tessera.Resp.Protocol;
using Tessera.Resp.Values;

namespace Tessera.Resp.Client;

// Sending, receiving, buffering and failure handling: the parts of the client below the command API.
public sealed partial class RespClient
{
    private async Task SendOutputAsync(string command, CancellationTokenSource? timer)
    {
        try
        {
            await SendAsync(_output.WrittenMemory, command, timer).ConfigureAwait(false);
        }
        finally
        {
            ReleaseOutput();
        }
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes, string command, CancellationTokenSource? timer)
    {
        try
        {
            if (_tls is { } tls)
            {
                await tls.WriteAsync(bytes, timer?.Token ?? default).ConfigureAwait(false);
                await tls.FlushAsync(timer?.Token ?? default).ConfigureAwait(false);
                return;
            }

            while (!bytes.IsEmpty)
            {
                int sent = await _socket.SendAsync(bytes, SocketFlags.None, timer?.Token ?? default).ConfigureAwait(false);
                bytes = bytes[sent..];
            }
        }
        catch (IOException e) when (_tls is not null && e.InnerException is not SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            throw Break(new IOException($"Sending {command} to {Endpoint} failed: {e.Message}; the connection was closed.", e));
        }
        catch (OperationCanceledException) when (timer?.IsCancellationRequested == true)
        {
            throw Break(new TimeoutException($"Sending {command} to {Endpoint} did not complete within {Describe(Timeout)}; the connection was closed."));
        }
        catch (SocketException e)
        {
            throw Break(new IOException($"Sending {command} to {Endpoint} failed: {e.Message}; the connection was closed.", e));
        }
    }

    private void SendOutput(string command, long deadline)
    {
        try
        {
            ReadOnlySpan<byte> bytes = _output.WrittenSpan;
            if (_tls is { } tls)
            {
                tls.WriteTimeout = StreamTimeout(deadline, command);
                tls.Write(bytes);
                tls.Flush();
                return;
            }

            while (!bytes.IsEmpty)
            {
                _socket.SendTimeout = RemainingMilliseconds(deadline, command);
                bytes = bytes[_socket.Send(bytes, SocketFlags.None)..];
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw Break(new TimeoutException($"Sending {command} to {Endpoint} did not complete within {Describe(Timeout)}; the connection was closed."));
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
        {
            throw Break(new TimeoutException($"Sending {command} to {Endpoint} did not complete within {Describe(Timeout)}; the connection was closed."));
        }
        catch (SocketException e)
        {
            throw Break(new IOException($"Sending {command} to {Endpoint} failed: {e.Message}; the connection was closed.", e));
        }
        catch (IOException e) when (_tls is not null)
        {
            throw Break(new IOException($"Sending {command} to {Endpoint} failed: {e.Message}; the connection was closed.", e));
        }
        finally
        {
            ReleaseOutput();
        }
    }

    private async Task<RespValue> ReadReplyAsync(string command, CancellationTokenSource? timer)
    {
        while (true)
        {
            if (TryTakeReply(out RespValue? reply))
            {
                return reply;
            }

            int received;
            try
            {
                received = _tls is { } tls
                    ? await tls.ReadAsync(FreeSpace(), timer?.Token ?? default).ConfigureAwait(false)
                    : await _socket.ReceiveAsync(FreeSpace(), SocketFlags.None, timer?.Token ?? default).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer?.IsCancellationRequested == true)
            {
                throw Break(new TimeoutException($"{Endpoint} did not reply to {command} within {Describe(Timeout)}; the connection was closed."));
            }
            catch (SocketException e)
            {
                throw Break(new IOException($"connection to {Endpoint} failed while waiting for the reply to {command}: {e.Message}", e));
            }
            catch (IOException e) when (_tls is not null)
            {
                throw Break(new IOException($"TLS connection to {Endpoint} failed while waiting for the reply to {command}: {e.Message}", e));
            }

            Received(received, command);
        }
    }

    private void Fill(string command, long deadline)
    {
        int received;
        try
        {
            if (_tls is { } tls)
            {
                tls.ReadTimeout = StreamTimeout(deadline, command);
                received = tls.Read(FreeSpace().Span);
            }
            else
            {
                _socket.ReceiveTimeout = RemainingMilliseconds(deadline, command);
                received = _socket.Receive(FreeSpace().Span, SocketFlags.None);
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
        {
            throw Break(new TimeoutException($"{Endpoint} did not reply to {command} within {Describe(Timeout)}; the connection was closed."));
        }
        catch (IOException e) when (_tls is not null)
        {
            throw Break(new IOException($"TLS connection to {Endpoint} failed while waiting for the reply to {command}: {e.Message}", e));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
        {
            throw Break(new TimeoutException($"{Endpoint} did not reply to {command} within {Describe(Timeout)}; the connection was closed."));
        }
        catch (SocketException e)
        {
            throw Break(new IOException($"connection to {Endpoint} failed while waiting for the reply to {command}: {e.Message}", e));
        }

        Received(received, command);
    }

    private void Received(int count, string command)
    {
        if (count == 0)
        {
            throw Break(new IOException($"connection closed by {Endpoint} while waiting for the reply to {command}"));
        }

        _end += count;
    }

    /// <summary>Room after the buffered bytes: compacts first, grows only when a reply fills the whole buffer.</summary>
    private Memory<byte> FreeSpace()
    {
        if (_end == _input.Length)
        {
            int buffered = _end - _start;
            byte[] target = buffered > _input.Length / 2 ? new byte[checked(_input.Length * 2)] : _input;
            Buffer.BlockCopy(_input, _start, target, 0, buffered);
            _input = target;
            _start = 0;
            _end = buffered;
        }

        return _input.AsMemory(_end);
    }

    /// <summary>Takes one complete reply off the input buffer, if one has fully arrived.</summary>
    private bool TryTakeReply([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RespValue? reply)
    {
        reply = null;
        ParseStatus status = ReplyScanner.TryScan(new ReadOnlySequence<byte>(_input, _start, _end - _start), ref _scanner, out long scanned);
        int length = (int)scanned;
        if (status == ParseStatus.Incomplete)
        {
            return false;
        }

        if (status == ParseStatus.Complete
            && RespValueReader.TryRead(new ReadOnlySequence<byte>(_input, _start, length), out reply, out _, out _) == ParseStatus.Complete
            && reply is not null)
        {
            _start += length;
            if (_start == _end)
            {
                _start = _end = 0;
                if (_input.Length > KeepBufferSize)
                {
                    _input = new byte[InitialBufferSize];
                }
            }

            return true;
        }

        RespValueReader.TryRead(new ReadOnlySequence<byte>(_input, _start, _end - _start), out _, out _, out string? error);
        int shown = Math.Min(_end - _start, 64);
        string start = Encoding.UTF8.GetString(_input, _start, shown).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        throw Break(new InvalidDataException(
            $"{Endpoint} sent a reply that is not RESP ({error ?? "Protocol error: malformed header"}); it starts with \"{start}\". Is this a Redis server? The connection was closed."));
    }

    private void ReleaseOutput()
    {
        if (_output.Capacity > KeepBufferSize)
        {
            _output = new ArrayBufferWriter<byte>(InitialBufferSize);
        }
        else
        {
            _output.ResetWrittenCount();
        }
    }

    private CancellationTokenSource? StartTimer() =>
        Timeout == System.Threading.Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(Timeout);

    private long Deadline() =>
        Timeout == System.Threading.Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)Timeout.TotalMilliseconds;

    /// <summary>Milliseconds left for a blocking socket call (0 means no limit to the socket).</summary>
    private int RemainingMilliseconds(long deadline, string command)
    {
        if (deadline == long.MaxValue)
        {
            return 0;
        }

        long left = deadline - Environment.TickCount64;
        if (left <= 0)
        {
            throw Break(new TimeoutException($"{Endpoint} did not reply to {command} within {Describe(Timeout)}; the connection was closed."));
        }

        return (int)Math.Min(left, int.MaxValue);
    }

    /// <summary><see cref="RemainingMilliseconds"/> as a stream timeout (there, no limit is <see cref="System.Threading.Timeout.Infinite"/>, not 0).</summary>
    private int StreamTimeout(long deadline, string command) =>
        RemainingMilliseconds(deadline, command) is var left && left == 0 ? System.Threading.Timeout.Infinite : left;

    private static string Describe(TimeSpan timeout) =>
        timeout == System.Threading.Timeout.InfiniteTimeSpan ? "no time limit" : $"{timeout.TotalMilliseconds:0} ms";

    /// <summary>Closes the connection after a failure that leaves it out of step, and remembers why.</summary>
    private Exception Break(Exception reason)
    {
        _broken ??= reason.Message;
        _tls?.Dispose();
        _socket.Dispose();
        return reason;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_broken is not null)
        {
            throw new IOException($"The connection to {Endpoint} is closed after an earlier failure ({_broken}); connect a new RespClient.");
        }
    }

    private void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
        {
            throw new InvalidOperationException($"RespClient is not thread-safe and another call on {Endpoint} is still running; give each task its own client.");
        }
    }

    private void Exit() => Volatile.Write(ref _busy, 0);
}
