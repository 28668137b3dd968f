using System.Buffers;
using Tessera.Model.Security;
using Tessera.Model.Tenants;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Backends;

/// <summary>
/// How the proxy logs in to one server: the namespace whose routes name it (servers belong to one namespace), that
/// namespace's backend credentials from its access document (null: the servers need no password) and its backend TLS
/// (null: plain TCP). Immutable; a server's is swapped whole (<see cref="BackendServer.Login"/>) and read once when a
/// link starts, never per command.
/// </summary>
internal sealed record BackendLogin(string Namespace, BackendCredentials? Credentials, BackendTlsClient? Tls = null)
{
    /// <summary>Writes <c>AUTH [user] password</c>; only called when <see cref="Credentials"/> is set.</summary>
    public void WriteAuth(IBufferWriter<byte> writer)
    {
        var credentials = Credentials!;
        if (credentials.User is { } user)
        {
            RespWriter.WriteCommand(writer, "AUTH", user, credentials.Password);
        }
        else
        {
            RespWriter.WriteCommand(writer, "AUTH", credentials.Password);
        }
    }

    /// <summary>
    /// The reason a link fails when the server refused the login (or wants one and none is set): names the namespace
    /// and the command that fixes it. Clients see it as <c>-ERR backend host:port failed: …</c>.
    /// </summary>
    public string Refused(string refusal) => Credentials is null
        ? $"it needs a password ({refusal}) and namespace '{Namespace}' has no backend credentials: set them with `tessera namespace set {Namespace} --backend-password …`"
        : $"it refused the login ({refusal}): namespace '{Namespace}''s backend password is wrong or missing: set the right one with `tessera namespace set {Namespace} --backend-password …`";

    /// <summary>
    /// The reason a link fails when its TLS session could not be made (<paramref name="problem"/>: which certificate was
    /// refused, or the handshake's error): names the namespace and what to check.
    /// </summary>
    public string TlsFailed(string problem) =>
        $"TLS to it failed: {problem}. Namespace '{Namespace}' reaches its servers over TLS: check that this address is the server's tls-port and set the right CA and client certificate with `tessera namespace set {Namespace} --backend-tls-ca FILE [--backend-tls-cert FILE --backend-tls-key FILE]`";

    /// <summary>Never the password or the key (records print every member, and logins end up in messages).</summary>
    public override string ToString() => $"namespace {Namespace}, {Credentials?.ToString() ?? "no password"}, {(Tls is null ? "plain TCP" : "TLS")}";
}
