using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Tessera.Resp.Protocol;
using Tessera.Resp.Values;

namespace Tessera.Testing;

/// <summary>
/// A bare socket to the proxy (or a redis-server) whose sending and reading are independent, for tests that pipeline
/// huge batches, send malformed bytes or compare replies byte for byte. Every read is bounded by a timeout.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _reader;

    private RawConnection(Socket socket)
        : this(new NetworkStream(socket, ownsSocket: true))
    {
    }

    private RawConnection(Stream stream)
    {
        _stream = stream;
        _reader = PipeReader.Create(_stream);
    }

    /// <summary>The certificate the server presented, on a TLS connection.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    /// <summary>
    /// A TLS connection that trusts <paramref name="trusted"/> (the test CA) and presents <paramref name="clientCertificate"/>
    /// when given; the handshake (bounded by 10 s) throws when either side refuses the other.
    /// </summary>
    public static async Task<RawConnection> ConnectTlsAsync(int port, X509Certificate2 trusted, X509Certificate2? clientCertificate = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync("127.0.0.1", port, timeout.Token);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && TestCertificates.Chains(trusted, certificate),
            }, timeout.Token);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        return new RawConnection(ssl) { ServerCertificate = ssl.RemoteCertificate is { } remote ? X509CertificateLoader.LoadCertificate(remote.GetRawCertData()) : null };
    }

    public static async Task<RawConnection> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync("127.0.0.1", port, timeout.Token);
        return new RawConnection(socket);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _stream.WriteAsync(bytes, timeout.Token);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    /// <summary>Encodes a command as a RESP array of bulk strings.</summary>
    public static byte[] Command(params string[] args)
    {
        var writer = new ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(writer, args);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Sends one command and reads its reply (within 10 s); the test fails when the other side closed instead of answering.</summary>
    public async Task<RespValue> CallAsync(params string[] args)
    {
        await SendAsync(Command(args));
        return await ReadAsync(TimeSpan.FromSeconds(10)) ?? throw new Xunit.Sdk.XunitException($"the connection was closed instead of answering {string.Join(' ', args)}");
    }

    /// <summary>Reads one reply; null when the proxy closed the connection.</summary>
    public async Task<RespValue?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return (await ReadFrameAsync(cts.Token))?.Value;
    }

    /// <summary>The exact bytes of the next reply (or push): "(closed)" when the other side closed, "(timeout)" when nothing came in time.</summary>
    public async Task<byte[]> ReadBytesAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return (await ReadFrameAsync(cts.Token))?.Bytes ?? "(closed)"u8.ToArray();
        }
        catch (OperationCanceledException)
        {
            return "(timeout)"u8.ToArray();
        }
    }

    private async Task<(RespValue? Value, byte[] Bytes)?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var status = RespValueReader.TryRead(buffer, out var value, out long consumed);
            if (status == ParseStatus.Complete)
            {
                byte[] bytes = buffer.Slice(0, consumed).ToArray();
                _reader.AdvanceTo(buffer.GetPosition(consumed));
                return (value, bytes);
            }

            if (status == ParseStatus.Error)
            {
                throw new InvalidDataException("the proxy sent bytes that are not RESP");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
