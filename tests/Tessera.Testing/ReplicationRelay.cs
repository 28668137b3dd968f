using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tessera.Testing;

/// <summary>
/// A TCP relay in front of one redis-server (a master), listening on 127.0.0.1 on a port of its own, that can hold back
/// the replication stream to its replicas while every other connection (clients, probes, the proxy) flows: a test's
/// way to make a replica lag behind while its link stays up, or keep it in the middle of a sync. A connection counts as
/// a replication link once its client sends SYNC or PSYNC. Test-only; every wait is bounded by the sockets' lifetimes.
/// </summary>
public sealed class ReplicationRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accept;
    private volatile TaskCompletionSource _flowing = Flowing();

    private ReplicationRelay(TcpListener listener, int targetPort)
    {
        _listener = listener;
        _targetPort = targetPort;
        _accept = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The relay's own address, to give the controller as the master's.</summary>
    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Starts relaying to 127.0.0.1:<paramref name="targetPort"/> on a port the OS picks.</summary>
    public static ReplicationRelay Start(int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new ReplicationRelay(listener, targetPort);
    }

    /// <summary>Stops passing the master's bytes to its replicas (they stay connected; their offsets stop).</summary>
    public void HoldReplication()
    {
        if (_flowing.Task.IsCompleted)
        {
            _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets the replication stream flow again.</summary>
    public void ReleaseReplication() => _flowing.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        ReleaseReplication();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _accept.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }

            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            var link = new Link();
            _ = PumpAsync(client, server, link, toReplica: false);
            _ = PumpAsync(server, client, link, toReplica: true);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, Link link, bool toReplica)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (!toReplica && !link.Replication)
                {
                    var text = Encoding.ASCII.GetString(buffer, 0, read);
                    link.Replication = text.Contains("PSYNC", StringComparison.OrdinalIgnoreCase) || text.Contains("\r\nSYNC\r\n", StringComparison.OrdinalIgnoreCase);
                }

                if (toReplica && link.Replication)
                {
                    await _flowing.Task.WaitAsync(_stop.Token);
                }

                int sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The other side closed, or the relay stops.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    private sealed class Link
    {
        public volatile bool Replication;
    }
}
