using System.Buffers;
using Tessera.Proxy.Replies;

namespace Tessera.Proxy.Sessions;

/// <summary>A request whose reply nobody needs (sent on subscribed connections, where frames go to the sink anyway).</summary>
internal sealed class IgnoredRequest : BackendRequest
{
    public static readonly IgnoredRequest Instance = new();

    private IgnoredRequest()
    {
    }

    public override void OnReply(in ReadOnlySequence<byte> reply, FlushBatch batch)
    {
    }

    public override void OnFailure(string error, FlushBatch batch)
    {
    }
}
