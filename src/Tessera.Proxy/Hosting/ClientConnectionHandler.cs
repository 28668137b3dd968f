using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Connections;
using System.Net;
using Tessera.Proxy.Net;
using Tessera.Resp.Protocol;
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

            string? remote = connection.RemoteEndPoint?.ToString();
            if (_context.Options.AcceptProxyProtocol)
            {
                var (accepted, source) = await ReadProxyHeaderAsync(connection).ConfigureAwait(false);
                if (!accepted)
                {
                    stats.ConnectionRejected();
                    return;
                }

                remote = source?.ToString() ?? remote;
            }

            var session = new ClientSession(_context, connection.Transport, _context.NextClientId(), remote);
            var (tls, identities) = ClientTls.Describe(connection.Features);
            if (tls)
            {
                // The session reads decrypted bytes from the TLS layer's pipe, not from the socket: socket-level
                // inlining would run decryption on the event thread; TLS connections keep the thread-pool path.
                session.UseTls(identities);
            }
            else if (_context.Options.InlineSocketCompletions && connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
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

    /// <summary>
    /// Reads the PROXY protocol header the connection must start with (<see cref="ProxyOptions.AcceptProxyProtocol"/>):
    /// true with the client address it names (null: keep the socket's), or false after answering why it was refused.
    /// </summary>
    private async Task<(bool Accepted, IPEndPoint? Source)> ReadProxyHeaderAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(_context.Options.RequestTimeout);
        string why;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                switch (ProxyProtocolHeader.TryParse(buffer, out int length, out var source, out string? error))
                {
                    case ParseStatus.Complete:
                        input.AdvanceTo(buffer.GetPosition(length));
                        return (true, source);
                    case ParseStatus.Error:
                        input.AdvanceTo(buffer.Start);
                        why = error!;
                        break;
                    default:
                        if (read.IsCompleted)
                        {
                            input.AdvanceTo(buffer.Start, buffer.End);
                            return (false, null);
                        }

                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                }

                break;
            }
        }
        catch (OperationCanceledException)
        {
            if (connection.ConnectionClosed.IsCancellationRequested)
            {
                return (false, null);
            }

            why = $"no PROXY protocol header within {(long)_context.Options.RequestTimeout.TotalMilliseconds} ms";
        }

        string message = $"-ERR {why}; this listener accepts connections through a load balancer that sends the PROXY protocol (acceptProxyProtocol is on)\r\n";
        await connection.Transport.Output.WriteAsync(System.Text.Encoding.UTF8.GetBytes(message)).ConfigureAwait(false);
        return (false, null);
    }
}
