using Tessera.Resp.Values;

namespace Tessera.Resp.Client;

/// <summary>
/// A small, plain Redis client for tools, the control plane and tests: one connection, commands
/// answered in order, every wait bounded by <see cref="Timeout"/>. Not used on the proxy's hot path.
/// </summary>
public sealed class RespClient : IAsyncDisposable, IDisposable
{
    /// <summary>Bound on every connect, send and reply wait (default 10 s); a timeout throws <see cref="TimeoutException"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>"host:port" this client is connected to.</summary>
    public string Endpoint { get; } = "";

    /// <summary>Connects to host:port.</summary>
    public static Task<RespClient> ConnectAsync(string host, int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Sends a command and waits for its reply. Arguments: string, byte[], ReadOnlyMemory&lt;byte&gt;, int, long, double.
    /// A Redis error reply is returned as a value of kind Error, not thrown.</summary>
    public Task<RespValue> CallAsync(params object[] args) => throw new NotImplementedException();

    /// <summary>Synchronous <see cref="CallAsync"/>.</summary>
    public RespValue Call(params object[] args) => throw new NotImplementedException();

    /// <summary>Sends a command without waiting for the reply (pipelining); read it later with <see cref="ReadAsync"/>.</summary>
    public Task SendAsync(params object[] args) => throw new NotImplementedException();

    /// <summary>Sends bytes as they are (inline commands, malformed input for fuzzing).</summary>
    public Task SendRawAsync(ReadOnlyMemory<byte> bytes) => throw new NotImplementedException();

    /// <summary>Reads the next reply. Throws <see cref="IOException"/> when the server closed the connection.</summary>
    public Task<RespValue> ReadAsync() => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
