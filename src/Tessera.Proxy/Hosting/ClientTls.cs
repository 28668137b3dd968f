using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Tessera.Model.Tenants;
using Tessera.Proxy.Sessions;

namespace Tessera.Proxy.Hosting;

/// <summary>
/// TLS on a client listener: Kestrel's TLS middleware in front of <see cref="ClientConnectionHandler"/>, asking
/// <see cref="ProxyContext.Certificates"/> for the server options at every handshake (so a certificate rotated on disk is
/// presented to the next client while the open connections keep their session).
/// </summary>
internal static class ClientTls
{
    /// <summary>Bound on a client finishing its handshake.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Puts TLS in front of <paramref name="listen"/> when the proxy has certificates; does nothing otherwise.</summary>
    public static void Use(ListenOptions listen, ProxyContext context)
    {
        if (context.Certificates is not { } certificates)
        {
            return;
        }

        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            HandshakeTimeout = HandshakeTimeout,
            OnConnection = _ => ValueTask.FromResult(certificates.Options()),
        });
    }

    /// <summary>What the TLS layer tells about a connection: whether it is TLS, and the identities of its verified client certificate.</summary>
    public static (bool Tls, IReadOnlyList<string>? Identities) Describe(IFeatureCollection features)
    {
        if (features.Get<ITlsHandshakeFeature>() is null)
        {
            return (false, null);
        }

        return (true, features.Get<ITlsConnectionFeature>()?.ClientCertificate is { } certificate ? ClientCertificateIdentity.Of(certificate) : null);
    }
}
