using Tessera.Model.Tenants;
using Tessera.Resp.Client;
using Tessera.Resp.Values;

namespace Tessera.Controller.Servers;

/// <summary>
/// The one way the controller opens a connection to a namespace's redis-server: connect, then <c>AUTH</c> with the
/// namespace's backend credentials when it has some (<see cref="ServerLogins"/>). Probes, REPLICAOF, failover and
/// migration all come through here.
/// </summary>
internal static class ServerConnection
{
    /// <summary>Connects to <paramref name="address"/> and logs in with <paramref name="login"/> (nothing sent when null).</summary>
    /// <exception cref="ServerLoginException">The server refused the credentials.</exception>
    /// <remarks>Throws what <see cref="RespClient.ConnectAsync(string, TimeSpan?, CancellationToken)"/> throws when the connection fails.</remarks>
    public static async Task<RespClient> OpenAsync(string address, BackendCredentials? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = await RespClient.ConnectAsync(address, timeout, cancellationToken).ConfigureAwait(false);
        if (login is null)
        {
            return client;
        }

        try
        {
            var reply = login.User is { } user
                ? await client.CallAsync("AUTH", user, login.Password).ConfigureAwait(false)
                : await client.CallAsync("AUTH", login.Password).ConfigureAwait(false);
            if (reply.IsError)
            {
                throw new ServerLoginException(address, reply.AsString() ?? "an error");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True for the reply of a server that wants a password this connection has not given (NOAUTH).</summary>
    public static bool IsNoAuth(RespValue reply) => reply.IsError && reply.AsString() is { } text && text.StartsWith("NOAUTH", StringComparison.Ordinal);
}

/// <summary>
/// A server refused the namespace's backend credentials (WRONGPASS, or AUTH to a server without a password). An
/// <see cref="IOException"/>, so probes count it as a failed answer like any broken connection; the message says what to do
/// and never carries the password.
/// </summary>
internal sealed class ServerLoginException : IOException
{
    public ServerLoginException(string address, string refusal)
        : base($"server {address} refused the namespace's backend credentials ({refusal.Trim()}); set the right ones with `tessera namespace set <namespace> --backend-password …`")
    {
        Address = address;
        Refusal = refusal.Trim();
    }

    public ServerLoginException()
    {
        Address = "";
    }

    public ServerLoginException(string message)
        : base(message)
    {
        Address = "";
    }

    public ServerLoginException(string message, Exception innerException)
        : base(message, innerException)
    {
        Address = "";
    }

    /// <summary>The server that refused.</summary>
    public string Address { get; }

    /// <summary>What it answered AUTH (e.g. "WRONGPASS invalid username-password pair or user is disabled.").</summary>
    public string Refusal { get; } = "";
}
