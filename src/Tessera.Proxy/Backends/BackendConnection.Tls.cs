using System.Net.Security;
using System.Net.Sockets;
using Tessera.Model.Security;

namespace Tessera.Proxy.Backends;

/// <summary>
/// TLS on a backend link (the namespace's backend TLS, <see cref="BackendLogin.Tls"/>): the handshake when a link starts,
/// and the words for a link a server refused; the send and receive loops then read and write the TLS session.
/// </summary>
internal sealed partial class BackendConnection
{
    /// <summary>
    /// The TLS handshake on a new link, bounded by the connect timeout; a failure (a certificate refused either way, a
    /// plain port) throws <see cref="TlsLinkException"/> with the reason the link fails with, naming the namespace and the fix.
    /// </summary>
    private async Task<SslStream> StartTlsAsync(Link link, Socket socket, BackendTlsClient tls)
    {
        var host = Tessera.Resp.Servers.ServerAddress.Parse(_server.Address).Host;
        var options = tls.Options(host, out var check);
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        using var handshakeTimeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            await stream.AuthenticateAsClientAsync(options, handshakeTimeout.Token).ConfigureAwait(false);
            return stream;
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            var problem = ex is OperationCanceledException
                ? $"no TLS handshake within {(long)_options.ConnectTimeout.TotalMilliseconds} ms (is it a plain port?)"
                : tls.Describe(ex, check);
            throw new TlsLinkException(link.Login!.TlsFailed(problem), ex);
        }
    }

    /// <summary>
    /// Why a TLS link ended before its first reply, in words naming the namespace and the fix: a TLS 1.3 server refuses our
    /// client certificate only after the handshake, so it shows as the connection ending here. Null for plain links and
    /// links that were answered.
    /// </summary>
    private static string? TlsRefusal(Link link, Exception? error) =>
        link.Tls is null || link.Answered || link.Dead || link.Login?.Tls is not { } tls
            ? null
            : link.Login.TlsFailed(tls.Describe(error ?? new IOException("connection closed by the server"), null));

    /// <summary>The TLS handshake of a link failed; the message is the reason the link fails with.</summary>
    private sealed class TlsLinkException(string message, Exception inner) : Exception(message, inner);
}
