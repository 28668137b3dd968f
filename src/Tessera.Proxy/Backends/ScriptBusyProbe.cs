using System.Buffers;
using System.Text;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Backends;

/// <summary>What a <see cref="ScriptBusyProbe"/> learnt about its server since a request timed out.</summary>
internal enum ScriptBusyAnswer
{
    /// <summary>No probe has answered since then; one is under way.</summary>
    Pending,

    /// <summary>The server answered -BUSY: it is alive and running a script or function.</summary>
    Busy,

    /// <summary>The server answered something else, or nothing in time: the request timeout stands.</summary>
    NotBusy,
}

/// <summary>
/// Tells a shared connection whose oldest request waited past the request timeout whether its server is running a
/// long script (alive, answering -BUSY to everyone else) or really stuck, by sending PING on a connection of its own (a dedicated one of the server, closed after the answer).
/// One probe per server at a time; an answer holds for <see cref="Refresh"/>, then the next check probes again.
/// </summary>
/// <remarks>
/// While a script runs, redis-server reads nothing more from the connection that sent it, but once the script ran
/// past <c>busy-reply-threshold</c> it answers every other connection -BUSY. Resetting the connection then would
/// lose the script's reply, fail the requests queued behind it and fix nothing (a new connection gets -BUSY too),
/// so the connection keeps waiting, as a client of redis-server would, until the script ends or SCRIPT KILL /
/// FUNCTION KILL stops it. A server that answers nothing (frozen, overloaded) is still reset after the timeout plus
/// at most one <see cref="Timeout"/>. Thread-safety: called from the pool's timeout timer; state under <see cref="_gate"/>.
/// </remarks>
internal sealed class ScriptBusyProbe(BackendServer server, ProxyOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private bool _running;
    private long _answeredAt;
    private string? _busyReply;

    /// <summary>How long the probe's PING may take: a busy server answers within milliseconds.</summary>
    private TimeSpan Timeout => options.RequestTimeout < TimeSpan.FromSeconds(1) ? options.RequestTimeout : TimeSpan.FromSeconds(1);

    /// <summary>How long a busy answer holds before the next check probes again.</summary>
    private TimeSpan Refresh => Timeout;

    /// <summary>
    /// The answer of a probe that ended after <paramref name="since"/> (a <see cref="TimeProvider"/> timestamp), or
    /// <see cref="ScriptBusyAnswer.Pending"/> with a probe started. <paramref name="busyReply"/> is the server's -BUSY
    /// text without the '-' (Redis words it for scripts and functions differently) when the answer is Busy.
    /// </summary>
    public ScriptBusyAnswer Check(long since, out string? busyReply)
    {
        lock (_gate)
        {
            busyReply = _busyReply;
            bool answered = _answeredAt > since;
            if (!_running && (!answered || time.GetElapsedTime(_answeredAt) >= Refresh))
            {
                _running = true;
                _ = RunAsync();
            }

            if (!answered)
            {
                return ScriptBusyAnswer.Pending;
            }

            return busyReply is null ? ScriptBusyAnswer.NotBusy : ScriptBusyAnswer.Busy;
        }
    }

    private async Task RunAsync()
    {
        var connection = server.OpenDedicated(RespProtocol.Resp2);
        var ping = new PingReply();
        string? busy = null;
        try
        {
            if (connection.TrySendPing(ping))
            {
                busy = await ping.Answer.WaitAsync(Timeout, time).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
            busy = null;
        }
        finally
        {
            server.CloseDedicated(connection);
            lock (_gate)
            {
                _busyReply = busy;
                _answeredAt = time.GetTimestamp();
                _running = false;
            }
        }
    }

    /// <summary>The reply to the probe's PING: the -BUSY line without '-' and CRLF, or null for any other answer.</summary>
    private sealed class PingReply : BackendRequest
    {
        private static readonly byte[] Busy = "-BUSY "u8.ToArray();
        private readonly TaskCompletionSource<string?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string?> Answer => _answer.Task;

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            var line = reply.ToArray();
            _answer.TrySetResult(line.AsSpan().StartsWith(Busy) ? Encoding.UTF8.GetString(line, 1, line.Length - 1).TrimEnd('\r', '\n') : null);
        }

        public override void OnFailure(string error, FlushBatch batch) => _answer.TrySetResult(null);
    }
}
