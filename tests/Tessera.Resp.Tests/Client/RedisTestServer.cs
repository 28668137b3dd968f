using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Resp.Client;

namespace Tessera.Resp.Tests.Client;

/// <summary>
/// A real redis-server for a test class: Tessera.Local's <see cref="RedisServerProcess"/> (free loopback
/// port, readiness and PID checked, log kept, stopped by PID) in a temporary folder.
/// </summary>
public sealed class RedisTestServer : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-resp-tests-").FullName;
    private RedisServerProcess? _server;

    public string Host => "127.0.0.1";

    public int Port => _server!.Port;

    public string Endpoint => _server!.Endpoint;

    /// <summary>The server's recent log lines, for failure messages.</summary>
    public string Log => _server?.ReadLogTail() ?? "";

    public async Task InitializeAsync() => _server = await RedisServerProcess.StartAsync(new RedisServerOptions { Directory = _directory });

    public Task<RespClient> ConnectAsync() => RespClient.ConnectAsync(Host, Port, TimeSpan.FromSeconds(5));

    /// <summary>A loopback port nothing listens on (bind-checked).</summary>
    public static int FindFreePort() => FreePort.Find();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The server's last log lines may still be flushing; temp is cleaned eventually.
        }
    }
}
