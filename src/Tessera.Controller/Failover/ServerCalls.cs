using Tessera.Controller.Health;
using Tessera.Resp.Client;

namespace Tessera.Controller.Failover;

/// <summary>One-off commands the failover sends that <see cref="Servers.ServerCommands"/> has no method for (CLIENT PAUSE/UNPAUSE).</summary>
internal static class ServerCalls
{
    /// <summary>Runs one command on its own connection; null when it answered without an error, else the problem in words.</summary>
    public static async Task<string?> TryCallAsync(string address, TimeSpan timeout, CancellationToken cancellationToken, params object[] command)
    {
        try
        {
            var client = await RespClient.ConnectAsync(address, timeout, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var reply = await client.CallAsync(command).ConfigureAwait(false);
                return reply.IsError ? $"{command[0]} answered -{reply.AsString()}" : null;
            }
        }
        catch (Exception e) when (ServerProbe.IsConnectionFailure(e, cancellationToken))
        {
            return ServerProbe.Failure(e, timeout).Problem;
        }
    }
}
