using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.Wait;

/// <summary>
/// One client WAIT, asked of several group masters at once, each over a connection opened for this WAIT alone
/// and closed when it ends. The answer is the smallest count any master gave, or the first error.
/// </summary>
/// <remarks>
/// Redis's WAIT waits for the offset of the calling connection's last write, and blocks that connection
/// meanwhile, so it can run neither on a shared backend connection (it would stall every session on it) nor on
/// a fresh one as it is (a fresh connection wrote nothing). So each connection first sends
/// <c>SPUBLISH __tessera:wait 1</c>: SPUBLISH is propagated to replicas, which makes that connection's write
/// offset at least the master's offset at that moment, i.e. past every write the client made earlier (the
/// session sends WAIT only once the replies to those writes arrived). A shard channel, unlike PUBLISH, reaches
/// only clients that SSUBSCRIBE to exactly that name, so no application subscriber sees it.
/// Connections are counted against <see cref="ProxyOptions.MaxDedicatedConnections"/> while open.
/// Thread-safety: replies arrive on backend threads, <see cref="Abort"/> comes from the session's read loop
/// when the client leaves; <see cref="_gate"/> guards the counters and the list of open connections.
/// </remarks>
internal sealed class ReplicaWait
{
    /// <summary>The shard channel of the propagation marker; nobody subscribes to it.</summary>
    public const string MarkerChannel = "__tessera:wait";

    private readonly ProxyContext _context;
    private readonly object _gate = new();
    private readonly List<(BackendServer Server, BackendConnection Connection)> _open = [];
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _pending = [];
    private long _smallest = long.MaxValue;
    private string? _error;
    private bool _aborted;

    public ReplicaWait(ProxyContext context) => _context = context;

    /// <summary>Cancelled when the client left (or the session closed) while this WAIT was under way.</summary>
    public CancellationToken Aborted => _abort.Token;

    /// <summary>
    /// Sends WAIT <paramref name="numReplicas"/> <paramref name="timeoutMs"/> to every server of <paramref name="masters"/>
    /// (after the SPUBLISH marker when <paramref name="afterWrites"/>), and completes when each answered or failed.
    /// </summary>
    /// <returns>The smallest count, or an error line without "-" (naming the backend) when any part failed.</returns>
    /// <param name="guarded">False for timeouts too large for a guard of the proxy's own.</param>
    public async Task<(long Count, string? Error)> RunAsync(IReadOnlyList<BackendServer> masters, bool afterWrites, long numReplicas, long timeoutMs, bool guarded)
    {
        if (masters.Count == 0)
        {
            return (0, null);
        }

        string replicas = numReplicas.ToString(CultureInfo.InvariantCulture);
        string timeout = timeoutMs.ToString(CultureInfo.InvariantCulture);
        var batch = new FlushBatch();
        lock (_gate)
        {
            foreach (var master in masters)
            {
                _pending.Add(master.Address);
            }
        }

        foreach (var master in masters)
        {
            if (_context.Dedicated.TryOpen(master, RespProtocol.Resp2) is not { } connection)
            {
                Finish(master.Address, 0, _context.Dedicated.Refusal($"ERR WAIT needs a connection of its own to backend {master.Address}, but"));
                continue;
            }

            bool aborted;
            lock (_gate)
            {
                aborted = _aborted;
                if (!aborted)
                {
                    _open.Add((master, connection));
                }
            }

            if (aborted)
            {
                _context.Dedicated.Close(master, connection);
                Finish(master.Address, 0, "ERR the client left before WAIT was answered");
                continue;
            }

            if (afterWrites)
            {
                BackendWrites.WriteCommand(connection, new MarkerPart(this, master.Address), batch, "SPUBLISH", MarkerChannel, "1");
            }

            BackendWrites.WriteCommand(connection, new WaitPart(this, master.Address), batch, "WAIT", replicas, timeout);
            connection.Flush();
        }

        if (timeoutMs > 0 && guarded)
        {
            // Redis answers WAIT itself when its timeout passes; a master that does not (frozen, unreachable
            // mid-request) is given up on after the proxy's request timeout on top, with an error that names it.
            var bound = TimeSpan.FromMilliseconds(timeoutMs) + _context.Options.RequestTimeout;
            try
            {
                await _done.Task.WaitAsync(bound, _context.Time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                ExpirePending(bound);
            }
        }

        await _done.Task.ConfigureAwait(false);
        lock (_gate)
        {
            return (_smallest == long.MaxValue ? 0 : _smallest, _error);
        }
    }

    /// <summary>The client left: closes this WAIT's connections, which ends their blocked WAITs on the servers.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _aborted = true;
        }

        _abort.Cancel();
        Close();
    }

    /// <summary>Closes the connections still open and returns them to the proxy's count. Safe to call more than once.</summary>
    public void Close()
    {
        (BackendServer Server, BackendConnection Connection)[] open;
        lock (_gate)
        {
            open = [.. _open];
            _open.Clear();
        }

        foreach (var (server, connection) in open)
        {
            _context.Dedicated.Close(server, connection);
        }
    }

    /// <summary>Records one master's answer (or failure); the last one completes the WAIT.</summary>
    private void Finish(string address, long count, string? error)
    {
        lock (_gate)
        {
            if (!_pending.Remove(address))
            {
                // Already given up on (expired), or a second failure of the same part.
                return;
            }

            if (error is not null)
            {
                _error ??= error;
            }
            else
            {
                _smallest = Math.Min(_smallest, count);
            }

            if (_pending.Count > 0)
            {
                return;
            }
        }

        _done.TrySetResult();
    }

    private void RecordError(string error)
    {
        lock (_gate)
        {
            _error ??= error;
        }
    }

    private void ExpirePending(TimeSpan bound)
    {
        string[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }

        foreach (var address in pending)
        {
            Finish(address, 0, $"ERR backend {address} did not answer WAIT within {(long)bound.TotalMilliseconds} ms (its timeout plus the proxy's request timeout)");
        }
    }

    private static string Describe(in ReadOnlySequence<byte> reply) => Encoding.UTF8.GetString(reply.ToArray()).TrimEnd('\r', '\n');

    /// <summary>The reply to the SPUBLISH marker: an integer (receivers, none); an error means this master cannot be waited on.</summary>
    private sealed class MarkerPart(ReplicaWait wait, string address) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            if (reply.FirstSpan[0] == (byte)'-')
            {
                wait.RecordError($"ERR WAIT could not mark the replication stream of backend {address} (SPUBLISH needs Redis 7): {Describe(reply)[1..]}");
            }
        }

        public override void OnFailure(string error, FlushBatch batch) => wait.RecordError(error);
    }

    /// <summary>The reply to WAIT on one master: the number of replicas that acknowledged.</summary>
    private sealed class WaitPart(ReplicaWait wait, string address) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            // An integer reply is a few bytes; copy it when it straddles buffer segments.
            var line = reply.IsSingleSegment ? reply.FirstSpan : reply.ToArray();
            if (line[0] == (byte)':' && Utf8Parser.TryParse(line[1..], out long count, out _))
            {
                wait.Finish(address, count, null);
            }
            else
            {
                string text = Describe(reply);
                wait.Finish(address, 0, $"ERR WAIT failed on backend {address}: {(text.Length > 0 && text[0] == '-' ? text[1..] : text)}");
            }
        }

        public override void OnFailure(string error, FlushBatch batch) => wait.Finish(address, 0, error);
    }
}
