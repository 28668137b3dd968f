using System.Net;
using System.Net.Sockets;
using Tessera.Resp.Client;

namespace Tessera.Cli.Hosting;

/// <summary>Waits until a proxy answers PING, so "ready" is printed only when a client would succeed.</summary>
internal static class ProxyReadiness
{
    /// <summary>True once PING through <paramref name="endpoint"/> answers PONG; false when <paramref name="timeout"/> passes first.</summary>
    public static async Task<bool> WaitForPongAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var host = endpoint.Address.Equals(IPAddress.Any) ? "127.0.0.1"
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? "::1"
            : endpoint.Address.ToString();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var client = await RespClient.ConnectAsync(host, endpoint.Port, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                await using (client.ConfigureAwait(false))
                {
                    var reply = await client.CallAsync("PING").ConfigureAwait(false);
                    if (reply.AsString() == "PONG")
                    {
                        return true;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
                // Not listening or not answering yet: try again until the deadline.
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }
}
