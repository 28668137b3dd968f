using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tessera.Resp.Client;

namespace Tessera.Resp.Tests.Client;

/// <summary>
/// A throw-away redis-server for these tests: a free loopback port, no persistence, its own temp
/// directory, output kept for failure messages, and the exact process we started killed on dispose.
/// Kept small on purpose; the shared, richer launcher lives in Tessera.Local.
/// </summary>
public sealed class RedisTestServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly StringBuilder _log = new();
    private Process? _process;
    private string? _directory;

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string Endpoint => $"{Host}:{Port}";

    /// <summary>What redis-server printed so far, for assertion messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        // A port can be taken between the bind test and redis-server's bind; then try another.
        for (int attempt = 1; ; attempt++)
        {
            Port = FindFreePort();
            if (await TryStartAsync())
            {
                return;
            }

            string log = Log;
            await DisposeAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"redis-server did not start after {attempt} attempts; its last output:\n{log}");
            }
        }
    }

    /// <summary>A new client to this server, with a short timeout so a broken test fails fast.</summary>
    public Task<RespClient> ConnectAsync() => RespClient.ConnectAsync(Host, Port, TimeSpan.FromSeconds(5));

    public Task DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                // Kill the process we started, by its own handle/PID, never by name.
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
            _process = null;
        }

        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        _directory = null;
        return Task.CompletedTask;
    }

    private async Task<bool> TryStartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("tessera-resp-tests-").FullName;
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", Host, "--save", "", "--appendonly", "no", "--dir", _directory })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server; is it installed and on PATH?");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                return false;
            }

            try
            {
                await using RespClient client = await RespClient.ConnectAsync(Host, Port, TimeSpan.FromSeconds(1));
                if ((await client.CallAsync("PING")).AsString() == "PONG")
                {
                    // Make sure the server answering is the one we started, not a stranger on the port.
                    string info = (await client.CallAsync("INFO", "server")).AsString() ?? "";
                    if (!info.Contains($"process_id:{_process.Id}\r\n", StringComparison.Ordinal))
                    {
                        return false;
                    }

                    return true;
                }
            }
            catch (IOException)
            {
                // Not listening yet.
            }
            catch (TimeoutException)
            {
                // Not answering yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"redis-server on {Endpoint} did not answer PING within {StartTimeout.TotalSeconds} s; its output:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>A port below Linux's ephemeral range (32768+) that a listener can bind right now.</summary>
    internal static int FindFreePort()
    {
        for (int tries = 0; tries < 200; tries++)
        {
            int port = Random.Shared.Next(20_000, 32_000);
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another.
            }
            finally
            {
                listener.Stop();
            }
        }

        throw new InvalidOperationException("No free loopback port found between 20000 and 32000.");
    }
}
