using System.Globalization;
using System.Net.Sockets;
using Tessera.Model.Tenants;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;
using Tessera.Resp.Values;

namespace Tessera.Controller.Servers;

/// <summary>
/// The few things the controller asks of redis-servers, each on its own short-lived connection with a
/// bounded wait: PING before a server joins, REPLICAOF to attach or detach replicas, DBSIZE to avoid erasing
/// data by accident, INFO replication for status, and one-off commands of the failover (CLIENT PAUSE/UNPAUSE).
/// Only commands that vanilla Redis 7 has. Every connection logs in with the namespace's backend credentials
/// (<see cref="ServerConnection"/>); <c>login</c> is null for servers that need no password.
/// </summary>
internal static class ServerCommands
{
    /// <summary>INFO replication, or a "down" observation when the server does not answer within <paramref name="timeout"/>.</summary>
    public static async Task<ServerObservation> ObserveAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await CallAsync(address, login, timeout, cancellationToken, "INFO", "replication").ConfigureAwait(false);
            if (ProbeResult.IsBusyReply(reply))
            {
                return ServerObservation.Busy();
            }

            return reply.IsError || reply.AsString() is not { } info
                ? ServerObservation.Down($"INFO replication answered {reply}")
                : ServerObservation.Parse(info);
        }
        catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            return ServerObservation.Down(e.Message);
        }
    }

    /// <summary>
    /// PING after logging in with <paramref name="login"/>; 409 naming the server and the reason when it does not answer
    /// PONG, when it refuses the credentials, or when it wants a password and namespace <paramref name="ns"/> has none.
    /// </summary>
    public static async Task RequirePongAsync(string ns, string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        RespValue reply;
        try
        {
            reply = await CallAsync(address, login, timeout, cancellationToken, "PING").ConfigureAwait(false);
        }
        catch (ServerTlsException e)
        {
            throw OperationRefusedException.Conflict($"server {address}: {e.Problem}; namespace '{ns}' reaches its servers over TLS: check the server's tls-port and certificates, or the namespace's with `tessera namespace set {ns} --backend-tls-ca …`", e);
        }
        catch (ServerLoginException e)
        {
            throw OperationRefusedException.Conflict($"server {address} refused namespace '{ns}''s backend credentials ({e.Refusal}); set the right ones with `tessera namespace set {ns} --backend-password …` (and --backend-user for an ACL user)", e);
        }
        catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            throw OperationRefusedException.Conflict($"server {address} does not answer PING ({e.Message.TrimEnd('.')}); start it, or check the address and that it listens on an interface this controller reaches", e);
        }

        if (ServerConnection.IsNoAuth(reply))
        {
            throw OperationRefusedException.Conflict($"server {address} needs a password and namespace '{ns}' has no backend credentials; set them first with `tessera namespace set {ns} --backend-password …` (and --backend-user for an ACL user)");
        }

        if (reply.AsString() != "PONG")
        {
            throw OperationRefusedException.Conflict($"server {address} answered PING with {reply} instead of PONG");
        }
    }

    /// <summary>
    /// Whether <paramref name="login"/> opens <paramref name="address"/> (PING answered after AUTH; with a null login:
    /// without a password). Null when it does, else the server's refusal or the connection problem in words.
    /// </summary>
    public static async Task<string?> TryLoginAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await CallAsync(address, login, timeout, cancellationToken, "PING").ConfigureAwait(false);
            return reply.IsError ? reply.AsString() : null;
        }
        catch (ServerLoginException e)
        {
            return e.Refusal;
        }
        catch (ServerTlsException e)
        {
            return e.Problem;
        }
        catch (Exception e) when (ServerProbe.IsConnectionFailure(e, cancellationToken))
        {
            return ServerProbe.Failure(e, timeout).Problem;
        }
    }

    /// <summary>INFO replication of a server that must answer; 409 when it does not.</summary>
    public static async Task<ServerObservation> RequireObservationAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var observed = await ObserveAsync(address, login, timeout, cancellationToken).ConfigureAwait(false);
        return observed.IsDown || observed.IsBusy
            ? throw OperationRefusedException.Conflict(observed.IsBusy
                ? $"server {address} is {observed.Problem}; retry once it answers"
                : $"server {address} did not answer INFO replication ({observed.Problem}); check that it runs")
            : observed;
    }

    /// <summary>Number of keys in the server's current database.</summary>
    public static async Task<long> DbSizeAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await CallAsync(address, login, timeout, cancellationToken, "DBSIZE").ConfigureAwait(false);
            return reply.Kind == RespKind.Integer ? reply.Integer : throw OperationRefusedException.Conflict($"server {address} answered DBSIZE with {reply}");
        }
        catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            throw OperationRefusedException.Conflict($"server {address} did not answer DBSIZE ({e.Message.TrimEnd('.')})", e);
        }
    }

    /// <summary>
    /// <c>REPLICAOF master-host master-port</c> on <paramref name="address"/>; 409 when it is refused. With
    /// <paramref name="login"/>, <c>CONFIG SET masterauth</c> (and <c>masteruser</c>) first, so the replica can log in to its
    /// master: the servers of a namespace share its credentials.
    /// </summary>
    public static async Task ReplicaOfAsync(string address, ServerLogin? login, string master, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!ServerAddress.TryParse(master, out var parsed))
        {
            throw OperationRefusedException.Conflict($"the group's master '{master}' is not host:port; fix the namespace document");
        }

        var (host, port) = (parsed.Host, parsed.Port);

        RespValue reply;
        try
        {
            var client = await ServerConnection.OpenAsync(address, login, timeout, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                if (login?.Credentials is { } credentials && await SetMasterAuthAsync(client, credentials).ConfigureAwait(false) is { } refused)
                {
                    throw OperationRefusedException.Conflict($"server {address} refused CONFIG SET masterauth ({refused}), so as a replica it could not log in to its master; nothing was changed (is CONFIG renamed or disabled?)");
                }

                reply = await client.CallAsync("REPLICAOF", host, port.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            throw OperationRefusedException.Conflict($"REPLICAOF {host} {port} on {address} failed ({e.Message.TrimEnd('.')}); nothing was changed", e);
        }

        if (reply.IsError)
        {
            throw OperationRefusedException.Conflict($"server {address} refused REPLICAOF {host} {port}: {reply.AsString()} (is REPLICAOF renamed or disabled, or is it a cluster-mode server?)");
        }
    }

    /// <summary>
    /// <c>CONFIG SET masterauth</c> (and <c>masteruser</c>) on a replica whose namespace's credentials changed, so it
    /// logs in to its master with them at its next sync. Null on success, else the problem (never the password).
    /// </summary>
    public static async Task<string?> TryUpdateMasterAuthAsync(string address, ServerLogin login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var client = await ServerConnection.OpenAsync(address, login, timeout, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                return login.Credentials is { } credentials ? await SetMasterAuthAsync(client, credentials).ConfigureAwait(false) : null;
            }
        }
        catch (Exception e) when (ServerProbe.IsConnectionFailure(e, cancellationToken))
        {
            return ServerProbe.Failure(e, timeout).Problem;
        }
    }

    /// <summary><c>REPLICAOF NO ONE</c>: the server stops following its master and keeps its data. Null on success, else the problem.</summary>
    public static async Task<string?> TryDetachAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await CallAsync(address, login, timeout, cancellationToken, "REPLICAOF", "NO", "ONE").ConfigureAwait(false);
            return reply.IsError ? $"REPLICAOF NO ONE answered {reply.AsString()}" : null;
        }
        catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            return e.Message;
        }
    }

    /// <summary>Runs one command on its own connection; null when it answered without an error, else the problem in words.</summary>
    public static async Task<string?> TryCallAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken, params object[] command)
    {
        try
        {
            var reply = await CallAsync(address, login, timeout, cancellationToken, command).ConfigureAwait(false);
            return reply.IsError ? $"{command[0]} answered -{reply.AsString()}" : null;
        }
        catch (Exception e) when (ServerProbe.IsConnectionFailure(e, cancellationToken))
        {
            return ServerProbe.Failure(e, timeout).Problem;
        }
    }

    /// <summary><c>CONFIG GET setting</c>: its value, or the problem in words (CONFIG refused or renamed, the server unreachable).</summary>
    public static async Task<(string? Value, string? Problem)> TryConfigGetAsync(string address, ServerLogin? login, string setting, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await CallAsync(address, login, timeout, cancellationToken, "CONFIG", "GET", setting).ConfigureAwait(false);
            if (reply.IsError)
            {
                return (null, $"CONFIG GET answered -{reply.AsString()}");
            }

            // RESP2: [name, value]; an unknown setting gives an empty array.
            return reply.Items is { Count: >= 2 } pair && pair[1].AsString() is { } value
                ? (value, null)
                : (null, $"the server does not know {setting} (built without TLS, or older than Redis 6?)");
        }
        catch (Exception e) when (ServerProbe.IsConnectionFailure(e, cancellationToken))
        {
            return (null, ServerProbe.Failure(e, timeout).Problem);
        }
    }

    /// <summary>masterauth (and masteruser, or none when the default user logs in) on the replica; null on success, else the refusal.</summary>
    private static async Task<string?> SetMasterAuthAsync(RespClient client, BackendCredentials login)
    {
        var reply = await client.CallAsync("CONFIG", "SET", "masteruser", login.User ?? "", "masterauth", login.Password).ConfigureAwait(false);
        return reply.IsError ? reply.AsString() : null;
    }

    private static async Task<RespValue> CallAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken, params object[] command)
    {
        var client = await ServerConnection.OpenAsync(address, login, timeout, cancellationToken).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            return await client.CallAsync(command).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What a dead, hung or misaddressed server causes. The callers add "and not our own cancellation", so a
    /// cancelled caller sees its cancellation, not a refusal.
    /// </summary>
    private static bool IsUnreachable(Exception e) => ServerProbe.IsConnectionFailure(e, CancellationToken.None);
}
