using System.Buffers;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Sessions.Transactions;

/// <summary>EXEC's reply goes to the client; then route changes no longer need to wait for this connection.</summary>
internal sealed class ExecRequest(Reply reply, BackendConnection connection) : BackendRequest
{
    public override void OnReply(in ReadOnlySequence<byte> bytes, FlushBatch batch)
    {
        connection.CloseTransaction();
        reply.OnReply(bytes, batch);
    }

    public override void OnFailure(string error, FlushBatch batch)
    {
        connection.CloseTransaction();
        reply.OnFailure(error, batch);
    }
}
