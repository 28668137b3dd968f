using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Connections;
using Tessera.Proxy.Sessions;

namespace Tessera.Proxy.Hosting;

/// <summary>Kestrel's entry point for each client connection: runs one <see cref="ClientSession"/>.</summary>
internal sealed class ClientConnectionHandler : ConnectionHandler
{
    private static readonly byte[] TooManyClients = "-ERR max number of clients reached\r\n"u8.ToArray();

    private readonly ProxyContext _context;

    public ClientConnectionHandler(ProxyContext context) => _context = context;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var stats = _context.Stats;
        long connected = stats.ClientConnected();
        try
        {
            if (connected > _context.Options.MaxClients)
            {
                stats.ConnectionRejected();
                await connection.Transport.Output.WriteAsync(TooManyClients).ConfigureAwait(false);
                return;
            }

            var session = new ClientSession(_context, connection.Transport, _context.NextClientId(), connection.RemoteEndPoint?.ToString());
            if (_context.Options.InlineSocketCompletions && connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            {
                session.EnableAdaptiveInlining(socket);
            }

            await session.RunAsync(connection.ConnectionClosed).ConfigureAwait(false);
        }
        finally
        {
            stats.ClientDisconnected();
        }
    }
}
