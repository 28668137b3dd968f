using System.Security.Authentication;
using Tessera.Model.Security;
using Tessera.Model.Tenants;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;
using Tessera.Resp.Values;

namespace Tessera.Controller.Servers;

/// <summary>
/// The one way the controller opens a connection to a namespace's redis-server: connect, the TLS handshake when the
/// namespace has backend TLS, then <c>AUTH</c> with its backend credentials when it has some (<see cref="ServerLogins"/>).
/// Probes, REPLICAOF, failover and migration all come through here.
/// </summary>
internal static class ServerConnection
{
    /// <summary>Connects to <paramref name="address"/>, over TLS and logged in as <paramref name="login"/> says (plain, nothing sent, when null).</summary>
    /// <exception cref="ServerLoginException">The server refused the credentials.</exception>
    /// <exception cref="ServerTlsException">The TLS handshake failed (certificate refused either way, or no TLS port).</exception>
    /// <remarks>Throws what <see cref="RespClient.ConnectAsync(string, TimeSpan?, CancellationToken)"/> throws when the connection fails.</remarks>
    public static async Task<RespClient> OpenAsync(string address, ServerLogin? login, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = await RespClient.ConnectAsync(address, timeout, cancellationToken).ConfigureAwait(false);
        if (login is null)
        {
            return client;
        }

        TlsCheck? check = null;
        try
        {
            if (login.Tls is { } tls)
            {
                var options = tls.Options(ServerAddress.Parse(address).Host, out check);
                await client.StartTlsAsync(options, cancellationToken).ConfigureAwait(false);
            }

            if (login.Credentials is { } credentials)
            {
                var reply = credentials.User is { } user
                    ? await client.CallAsync("AUTH", user, credentials.Password).ConfigureAwait(false)
                    : await client.CallAsync("AUTH", credentials.Password).ConfigureAwait(false);
                if (reply.IsError)
                {
                    throw new ServerLoginException(address, reply.AsString() ?? "an error");
                }
            }

            return client;
        }
        catch (Exception e) when (login.Tls is { } tls && e is AuthenticationException or (IOException and not ServerLoginException))
        {
            // TLS 1.3 servers refuse a client certificate after the handshake: the AUTH above then sees the connection end.
            await client.DisposeAsync().ConfigureAwait(false);
            throw new ServerTlsException(address, tls.Describe(e, check), e);
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

/// <summary>
/// The TLS session with a server could not be made: its certificate was refused (<see cref="Problem"/> says why), it
/// refused ours, or it does not speak TLS there. An <see cref="IOException"/>, so probes count it as a failed answer.
/// </summary>
internal sealed class ServerTlsException : IOException
{
    public ServerTlsException(string address, string problem, Exception innerException)
        : base($"TLS to server {address} failed: {problem}", innerException)
    {
        Address = address;
        Problem = problem;
    }

    public ServerTlsException()
    {
        Address = "";
        Problem = "";
    }

    public ServerTlsException(string message)
        : base(message)
    {
        Address = "";
        Problem = message;
    }

    public ServerTlsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Address = "";
        Problem = message;
    }

    /// <summary>The server.</summary>
    public string Address { get; }

    /// <summary>What went wrong, in words (which certificate, which check).</summary>
    public string Problem { get; }
}
