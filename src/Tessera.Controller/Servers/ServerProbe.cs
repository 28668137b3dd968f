using System.Net.Sockets;
using Tessera.Model.Tenants;
using Tessera.Resp.Client;
using Tessera.Resp.Values;

namespace Tessera.Controller.Servers;

/// <summary>
/// One probe of a redis-server: <c>PING</c> and <c>INFO server replication</c> pipelined, each wait bounded. Used by
/// the health watches on their kept-open connections and by the failover on fresh connections.
/// </summary>
internal static class ServerProbe
{
    /// <summary>Probes over <paramref name="client"/>; throws what <see cref="RespClient"/> throws when the connection fails.</summary>
    public static async Task<ProbeResult> RunAsync(RespClient client)
    {
        await client.SendAsync("PING").ConfigureAwait(false);
        await client.SendAsync("INFO", "server", "replication").ConfigureAwait(false);
        var pong = await client.ReadAsync().ConfigureAwait(false);
        var info = await client.ReadAsync().ConfigureAwait(false);
        if (ProbeResult.IsBusyReply(pong))
        {
            return ProbeResult.BusyAnswer();
        }

        if (ServerConnection.IsNoAuth(pong))
        {
            return ProbeResult.Failed("it needs a password and its namespace has no backend credentials (tessera namespace set <namespace> --backend-password …)");
        }

        if (pong.IsError || pong.AsString() != "PONG")
        {
            return ProbeResult.Failed($"PING answered {Describe(pong)}");
        }

        return info.IsError || info.AsString() is not { } text
            ? ProbeResult.Failed($"INFO answered {Describe(info)}")
            : ProbeResult.Parse(text);
    }

    /// <summary>Connects, logs in with <paramref name="login"/>, probes and disconnects; never throws for what the server did.</summary>
    public static async Task<ProbeResult> OnceAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var client = await ServerConnection.OpenAsync(address, login, timeout, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                return await RunAsync(client).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsConnectionFailure(e, cancellationToken))
        {
            return Failure(e, timeout);
        }
    }

    /// <summary>True for the exceptions a failed or hung server causes (not for our own cancellation).</summary>
    public static bool IsConnectionFailure(Exception e, CancellationToken cancellationToken) =>
        e is IOException or TimeoutException or SocketException or InvalidDataException or ArgumentException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>A failed probe saying why in a few words.</summary>
    public static ProbeResult Failure(Exception e, TimeSpan timeout)
    {
        if (e is ServerLoginException login)
        {
            return ProbeResult.Failed($"it refused the namespace's backend credentials ({login.Refusal})");
        }

        if (e is ServerTlsException tls)
        {
            return ProbeResult.Failed(tls.Problem);
        }

        if (e is TimeoutException)
        {
            return ProbeResult.Failed($"no answer within {timeout.TotalMilliseconds:0} ms");
        }

        // The first sentence of a client error ("Could not connect to …: Connection refused").
        var message = e.Message;
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return ProbeResult.Failed((end > 0 ? message[..end] : message).TrimEnd('.'));
    }

    private static string Describe(RespValue value) => value.IsError ? $"-{value.AsString()}" : value.AsString() ?? value.Kind.ToString();
}
