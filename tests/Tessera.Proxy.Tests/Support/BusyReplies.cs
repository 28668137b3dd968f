using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Support;

/// <summary>Waiting, through the proxy, for a group to answer -BUSY while a script runs on its master.</summary>
internal static class BusyReplies
{
    /// <summary>
    /// Sends <paramref name="command"/> on a new client each try until the answer is an error, and returns it. A try
    /// gives up after <paramref name="tryTimeout"/>: a session that shares the backend connection carrying the
    /// script waits behind it instead (the server reads nothing more from that connection while the script runs).
    /// </summary>
    public static async Task<RespValue> UntilErrorAsync(ProxyCluster cluster, TimeSpan tryTimeout, TimeSpan bound, params object[] command)
    {
        RespValue? last = null;
        await Eventually.TrueAsync(
            async () =>
            {
                await using var probe = await cluster.ConnectAsync();
                probe.Timeout = tryTimeout;
                try
                {
                    last = await probe.CallAsync(command);
                }
                catch (TimeoutException)
                {
                    return false;
                }

                return last.IsError;
            },
            bound,
            "a -BUSY reply through the proxy");
        return last!;
    }
}
