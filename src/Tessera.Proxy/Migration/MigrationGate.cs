using System.Buffers;
using System.Text;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Migration;

/// <summary>
/// A command that touches keys of migrating slots (architecture §4): first the keys are moved from the source
/// group's master to the target with <c>MIGRATE … REPLACE</c> (NOKEY: already gone), then the prepared
/// command bytes go to the target group. The client's place in the reply order was taken when the
/// command arrived, so order holds; a later command of the same session for the same key runs its own
/// MIGRATE on the same source connection, whose replies come in order, so it cannot overtake.
/// </summary>
/// <remarks>
/// A failed MIGRATE (target unreachable, timeout, BUSYKEY...) answers -TRYAGAIN and sends nothing: the
/// command must not run on the source (the mover may already have moved the key, so a write there could
/// be lost) nor on the target (it may not have the key yet).
/// </remarks>
internal sealed class MigrationGate
{
    private readonly Reply _clientReply;
    private readonly int _slot;
    private readonly List<(BackendConnection Connection, byte[] Command, BackendRequest Request)> _sends = [];
    // One extra count while the gate is being set up, so MIGRATEs that fail at once cannot finish it early.
    private int _pending = 1;
    private string? _error;

    public MigrationGate(Reply clientReply, int slot)
    {
        _clientReply = clientReply;
        _slot = slot;
    }

    /// <summary>Ends the setup: once every MIGRATE started so far is answered, the queued commands go out.</summary>
    public void Commit(FlushBatch batch) => Done(null, batch);

    /// <summary>Queues a command to send once every MIGRATE has succeeded.</summary>
    public void ThenSend(BackendConnection connection, byte[] command, BackendRequest request) => _sends.Add((connection, command, request));

    /// <summary>Starts one MIGRATE of <paramref name="keys"/> on <paramref name="source"/>'s connection, to <paramref name="targetAddress"/>.</summary>
    public void Migrate(BackendConnection source, string targetAddress, IReadOnlyList<byte[]> keys, TimeSpan timeout, FlushBatch batch)
    {
        Interlocked.Increment(ref _pending);
        var request = new MigrateRequest(this, source);
        if (!source.TryBeginWrite(out var writer, out var error))
        {
            request.OnFailure(error!, batch);
            return;
        }

        try
        {
            MigrateCommand.Write(writer, targetAddress, keys, timeout, source.Login?.Credentials);
        }
        finally
        {
            source.EndWrite(request);
        }
    }

    private void Done(string? error, FlushBatch batch)
    {
        if (error is not null)
        {
            Interlocked.CompareExchange(ref _error, error, null);
        }

        if (Interlocked.Decrement(ref _pending) != 0)
        {
            return;
        }

        if (_error is not null)
        {
            _clientReply.OnFailure($"TRYAGAIN slot {_slot} is migrating and its keys could not be moved yet ({_error}); retry", batch);
            return;
        }

        foreach (var (connection, command, request) in _sends)
        {
            connection.Send(new ReadOnlySequence<byte>(command), request, batch);
        }

        foreach (var (connection, _, _) in _sends)
        {
            connection.Flush();
        }
    }

    private sealed class MigrateRequest : BackendRequest
    {
        private readonly MigrationGate _gate;
        private readonly BackendConnection _source;

        public MigrateRequest(MigrationGate gate, BackendConnection source)
        {
            _gate = gate;
            _source = source;
        }

        public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
        {
            // +OK: moved; +NOKEY: nothing to move (already on the target, or never existed).
            var first = reply.FirstSpan;
            bool ok = first.Length > 0 && first[0] == (byte)'+';
            string? error = ok ? null : Encoding.UTF8.GetString(reply.ToArray()).TrimStart('-').TrimEnd('\r', '\n');
            _gate.Done(error is null ? null : $"MIGRATE on {_source.ServerAddress} answered: {error}", batch);
        }

        public override void OnFailure(string error, FlushBatch batch) => _gate.Done(error, batch);
    }
}
