using Tessera.Proxy.Backends;
using Tessera.Proxy.Replies;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <summary>Commands the proxy itself writes on a backend connection (not a client's bytes).</summary>
internal static class BackendWrites
{
    /// <summary>Writes <paramref name="command"/> on <paramref name="connection"/> for <paramref name="request"/>; if the connection is down, the request fails at once.</summary>
    public static void WriteCommand(BackendConnection connection, BackendRequest request, FlushBatch batch, params ReadOnlySpan<string> command)
    {
        if (!connection.TryBeginWrite(out var writer, out var error))
        {
            request.OnFailure(error!, batch);
            return;
        }

        try
        {
            RespWriter.WriteCommand(writer, command);
        }
        finally
        {
            connection.EndWrite(request);
        }
    }
}
