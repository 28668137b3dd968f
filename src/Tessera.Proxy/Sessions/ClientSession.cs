using System.Buffers;
using System.IO.Pipelines;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <summary>
/// One client connection: a read loop that parses requests and routes them, and an ordered queue of
/// replies that backends complete from their own threads (<see cref="SessionOutput"/>).
/// </summary>
/// <remarks>
/// The read loop never waits for a reply: it parses everything that arrived, hands each command to
/// its backend connection (or answers it locally), then flushes the touched backend connections once.
/// Replies are written to the client in request order no matter which backend answers first.
/// </remarks>
internal sealed partial class ClientSession
{
    /// <summary>Stop reading new requests while this many replies are outstanding (bounds memory per client).</summary>
    private const int MaxPendingReplies = 64 * 1024;

    private readonly ProxyContext _context;
    private readonly IDuplexPipe _transport;
    private readonly RequestFrame _frame = new();
    private readonly FlushBatch _batch = new();
    private readonly List<BackendConnection> _touched = new(4);
    private readonly ArrayBufferWriter<byte> _local = new(256);
    private int[] _keyIndexes = new int[16];
    private long _commandsInPass;

    /// <summary>Bytes of the commands dispatched in this read pass, and of replies written so far already counted for a namespace's metrics.</summary>
    private long _bytesInPass;
    private long _bytesOutCounted;
    private bool _stopReading;

    /// <summary>Set through <see cref="PauseUntil"/> only; taken by the read loop.</summary>
    private Task? _pause;

    public ClientSession(ProxyContext context, IDuplexPipe transport, long id, string? remoteAddress)
    {
        _context = context;
        _transport = transport;
        _out = new SessionOutput(transport.Output, MaxPendingReplies, context.Stats.Metrics);
        Id = id;
        RemoteAddress = remoteAddress ?? "?";
        CreatedAt = context.Time.GetUtcNow();
    }

    public long Id { get; }

    public string RemoteAddress { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>RESP2 until the client sends HELLO 3.</summary>
    public RespProtocol Protocol { get; private set; } = RespProtocol.Resp2;

    public string? Name { get; private set; }

    public string? LibraryName { get; private set; }

    public string? LibraryVersion { get; private set; }

    /// <summary>Reads and serves requests until the client leaves, sends QUIT, or breaks the protocol.</summary>
    public async Task RunAsync(CancellationToken connectionClosed)
    {
        var input = _transport.Input;
        _context.Clients[Id] = this;
        try
        {
            while (!_stopReading && !_evicted)
            {
                if (_out.PendingCount >= MaxPendingReplies)
                {
                    await _out.WaitForRoomAsync(connectionClosed).ConfigureAwait(false);
                }

                ReadResult result = await input.ReadAsync(connectionClosed).ConfigureAwait(false);
                var buffer = result.Buffer;
                var passes = _context.Routing.Passes;
                int pass = passes.Enter();
                try
                {
                    ReleaseHeld();
                    ProcessRequests(ref buffer);
                    EndPass();
                }
                finally
                {
                    passes.Exit(pass);
                }

                if (_pause is { } pause)
                {
                    // Stopped before the end of the buffer: the rest waits (unexamined) until the pause ends.
                    input.AdvanceTo(buffer.Start);
                    _pause = null;
                    await pause.WaitAsync(connectionClosed).ConfigureAwait(false);
                    continue;
                }

                input.AdvanceTo(buffer.Start, buffer.End);

                // A cancelled read is a wake-up (routes changed while requests were held), not an end.
                if (result.IsCompleted)
                {
                    break;
                }
            }

            // Deliver what was promised before closing (bounded: backends time out on their own).
            await WaitForRepliesAsync(_context.Options.RequestTimeout + TimeSpan.FromSeconds(1), connectionClosed).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // The connection broke underneath us; nothing to answer.
        }
        finally
        {
            _context.HeldSessions.TryRemove(this, out _);
            _context.Clients.TryRemove(Id, out _);
            ChargeTraffic();
            UncountConnection();
            CloseDedicatedConnections();
            _out.Close();
        }
    }

    private void ProcessRequests(ref ReadOnlySequence<byte> buffer)
    {
        var limits = _context.Options.Limits;
        while (!_stopReading && !_evicted && _pause is null)
        {
            var status = RequestParser.TryParse(buffer, _frame, limits);
            if (status == ParseStatus.Incomplete)
            {
                // Everything the client sent is served: it is not (or no longer) over its quota.
                _throttledSince = 0;
                return;
            }

            if (status == ParseStatus.Error)
            {
                // Answer after the replies already owed, then close this connection only.
                _context.Stats.ProtocolError();
                ReplyError("ERR " + _frame.Error);
                _stopReading = true;
                buffer = buffer.Slice(buffer.End);
                return;
            }

            if (_frame.Count > 0)
            {
                if (_user is { Tenant.Limited: true } user && Throttle(_frame, user.Tenant) is var verdict && verdict != QuotaVerdict.Go)
                {
                    if (verdict == QuotaVerdict.Wait)
                    {
                        // Not consumed: the command is read again when the pause ends.
                        return;
                    }
                }
                else
                {
                    _commandsInPass++;
                    _bytesInPass += _frame.ConsumedLength;
                    Dispatch(_frame);
                }
            }

            buffer = buffer.Slice(_frame.ConsumedLength);
        }
    }

    /// <summary>
    /// Counts this pass's command bytes and the reply bytes written since the last count for the session's namespace
    /// (the metrics' traffic; replies written after a pass are counted at the next one, or when the session ends).
    /// </summary>
    private void ChargeTraffic()
    {
        long written = _out.BytesWritten;
        _user?.Tenant.AddTraffic(_bytesInPass, written - _bytesOutCounted);
        _bytesOutCounted = written;
        _bytesInPass = 0;
    }

    /// <summary>
    /// Dispatches nothing after the current command until <paramref name="until"/> completes: the read loop stops
    /// there and waits, leaving the rest of the client's bytes unread. How every command pauses the session: a
    /// protocol switch or RESET (replies owed on the old protocol's connections), a blocking command (its reply),
    /// WAIT (its answer). A second call in one pass (held requests re-dispatched together) replaces the first.
    /// </summary>
    private void PauseUntil(Task until) => _pause = until;

    /// <summary>Pauses until the replies owed now have arrived (later commands go over other connections).</summary>
    private void PauseForReplies() => PauseUntil(WaitForRepliesAsync(_context.Options.RequestTimeout, CancellationToken.None));

    /// <summary>After a read pass: wake the backend connections that got commands, and send what is ready to the client.</summary>
    private void EndPass()
    {
        var touched = _touched;
        for (int i = 0; i < touched.Count; i++)
        {
            touched[i].Flush();
        }

        touched.Clear();
        _batch.FlushAll();
        AdaptInlining(_commandsInPass);
        if (_commandsInPass > 0)
        {
            _context.Stats.AddCommands(_commandsInPass);
            _commandsInPass = 0;
        }

        ChargeTraffic();

        if (_replicaReadsInPass > 0)
        {
            _context.Stats.AddReplicaReads(_replicaReadsInPass);
            _replicaReadsInPass = 0;
        }
    }

    private void Touch(BackendConnection connection)
    {
        var touched = _touched;
        for (int i = 0; i < touched.Count; i++)
        {
            if (ReferenceEquals(touched[i], connection))
            {
                return;
            }
        }

        touched.Add(connection);
    }

    private Span<int> KeyIndexBuffer(int count)
    {
        if (_keyIndexes.Length < count)
        {
            _keyIndexes = new int[Math.Max(count, _keyIndexes.Length * 2)];
        }

        return _keyIndexes;
    }
}
