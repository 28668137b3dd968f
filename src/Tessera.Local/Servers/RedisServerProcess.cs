using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Tessera.Local.Networking;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;

namespace Tessera.Local.Servers;

/// <summary>
/// One <c>redis-server</c> process that we started on 127.0.0.1, with no persistence and its log in its
/// data directory. <see cref="StartAsync"/> returns only once the server answers PING and reports our
/// process id, so a server that someone else already ran on the port is never mistaken for ours.
/// Stopping acts on our PID only. Every wait is bounded.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable, IDisposable
{
    /// <summary>How long one readiness probe may take before we retry.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Bound on waiting for exit after SIGKILL; the kernel reaps a killed process in milliseconds.</summary>
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Attempts when the port was picked by us and someone took it between the check and the bind.</summary>
    private const int FreePortAttempts = 3;

    private readonly Process _process;
    private readonly OutputTail _output;
    private readonly TimeSpan _stopTimeout;

    /// <summary>Set when startup failed because someone else holds the port, so a free-port start may retry with another port.</summary>
    private bool _portTaken;

    /// <summary>Set for a TLS-only server: how <see cref="ConnectAsync"/> does TLS.</summary>
    private Model.Security.BackendTlsClient? _tls;

    private RedisServerProcess(Process process, OutputTail output, int port, string directory, TimeSpan stopTimeout, string? user, string? password)
    {
        User = user;
        Password = password;
        _process = process;
        _output = output;
        _stopTimeout = stopTimeout;
        Port = port;
        Pid = process.Id;
        Directory = directory;
        LogPath = System.IO.Path.Combine(directory, "redis.log");
    }

    /// <summary>The ACL user clients log in as (<see cref="RedisServerOptions.User"/>), or null for the default user.</summary>
    public string? User { get; }

    /// <summary>The password the server requires (<see cref="RedisServerOptions.Password"/>), or null.</summary>
    public string? Password { get; }

    /// <summary>The port on 127.0.0.1 this server listens on.</summary>
    public int Port { get; }

    /// <summary>Process id of the redis-server we started.</summary>
    public int Pid { get; }

    /// <summary>"127.0.0.1:port", the form topology files use.</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The server's data directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>The server's log file; its tail is part of every failure message.</summary>
    public string LogPath { get; }

    /// <summary>True once the process has exited (stopped, killed or crashed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts redis-server and waits until it answers PING and INFO reports our PID.
    /// Throws <see cref="RedisServerException"/> (with the log tail) when it does not come up within
    /// <see cref="RedisServerOptions.StartTimeout"/>, when the port is taken, or when the executable is missing.
    /// Nothing is left running when this throws.
    /// </summary>
    public static async Task<RedisServerProcess> StartAsync(RedisServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "Port must be 0 (pick a free one) or 1..65535.");
        }

        var directory = System.IO.Path.GetFullPath(options.Directory);
        System.IO.Directory.CreateDirectory(directory);

        var attempts = options.Port == 0 ? FreePortAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : FreePort.Find();
            if (!FreePort.IsFree(port))
            {
                if (attempt < attempts)
                {
                    continue;
                }

                throw new RedisServerException(string.Create(CultureInfo.InvariantCulture,
                    $"Port {port} on 127.0.0.1 is already in use, so redis-server cannot listen there: stop what holds it or choose another port."));
            }

            var server = Launch(options, port, directory);
            try
            {
                await server.WaitReadyAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (RedisServerException) when (server._portTaken && attempt < attempts)
            {
                server.Kill();
            }
            catch
            {
                server.Kill();
                throw;
            }
        }
    }

    /// <summary>Opens a new client connection to this server, logged in when it has a <see cref="Password"/> (the caller disposes it).</summary>
    public async Task<RespClient> ConnectAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var client = await RespClient.ConnectAsync("127.0.0.1", Port, timeout, cancellationToken).ConfigureAwait(false);
        if (_tls is { } tls)
        {
            try
            {
                await client.StartTlsAsync(tls.Options("127.0.0.1", out _), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        if (Password is null)
        {
            return client;
        }

        try
        {
            var reply = User is null
                ? await client.CallAsync("AUTH", Password).ConfigureAwait(false)
                : await client.CallAsync("AUTH", User, Password).ConfigureAwait(false);
            return reply.IsError ? throw new RedisServerException(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port} refused its own password: {reply.AsString()}")) : client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The last lines of this server's log, for failure messages.</summary>
    public string ReadLogTail(int maxLines = 30) => LogTail.Read(LogPath, maxLines);

    /// <summary>
    /// Stops the server: SIGTERM to our PID, wait up to <see cref="RedisServerOptions.StopTimeout"/>, then SIGKILL.
    /// Returns once the process has exited; does nothing if it already has.
    /// </summary>
    public void Stop()
    {
        if (_process.HasExited)
        {
            return;
        }

        UnixSignals.Send(Pid, UnixSignals.SigTerm);
        if (_process.WaitForExit(_stopTimeout))
        {
            return;
        }

        Kill();
    }

    /// <summary>Asynchronous <see cref="Stop"/>, so many servers can stop in parallel without blocking threads.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        UnixSignals.Send(Pid, UnixSignals.SigTerm);
        if (await WaitForExitAsync(_stopTimeout).ConfigureAwait(false))
        {
            return;
        }

        Kill();
    }

    /// <summary>
    /// Kills the server at once (SIGKILL, no shutdown), as a crash would, and waits until it is gone.
    /// Meant for failover tests.
    /// </summary>
    public void Kill()
    {
        if (_process.HasExited)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill: that is what we wanted.
            return;
        }

        if (!_process.WaitForExit(KillTimeout))
        {
            throw Failure(string.Create(CultureInfo.InvariantCulture, $"did not exit within {KillTimeout.TotalSeconds:0} s of SIGKILL"));
        }
    }

    /// <summary>Stops the server (see <see cref="Stop"/>) and releases the process handle.</summary>
    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>) and releases the process handle.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"redis-server {Endpoint} (pid {Pid})");

    private static RedisServerProcess Launch(RedisServerOptions options, int port, string directory)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(options.Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        string[] defaults =
        [
            "--port", portText,
            "--bind", "127.0.0.1",
            "--dir", directory,
            "--save", "",
            "--appendonly", "no",
            "--logfile", System.IO.Path.Combine(directory, "redis.log"),
            "--daemonize", "no",

            // Lets a later run find and stop this server if we die without stopping it (see LeftoverServer).
            "--pidfile", System.IO.Path.Combine(directory, LeftoverServer.PidFileName),
        ];
        foreach (var arg in defaults)
        {
            start.ArgumentList.Add(arg);
        }

        // Later arguments win: "--port 0" here leaves only the TLS port.
        foreach (var arg in options.Tls?.Arguments(portText) ?? [])
        {
            start.ArgumentList.Add(arg);
        }

        if (options.Password is { } password)
        {
            string[] login = options.User is { } user
                ? ["--user", user, "on", ">" + password, "~*", "&*", "+@all", "--user", "default", "off"]
                : ["--requirepass", password];
            foreach (var arg in login)
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in options.ExtraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new RedisServerException($"Could not start {options.Executable}: the OS returned no process.");
        }
        catch (Win32Exception e)
        {
            throw new RedisServerException(
                $"Could not start '{options.Executable}': {e.Message}. {RedisInstaller.NotFoundMessage}", e);
        }

        var output = new OutputTail();
        output.Attach(process);
        return new RedisServerProcess(process, output, port, directory, options.StopTimeout, options.User, options.Password)
        {
            _tls = options.Tls is { } tls ? Model.Security.BackendTlsClient.Create(tls.Client) : null,
        };
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                var problem = string.Create(CultureInfo.InvariantCulture, $"exited with code {_process.ExitCode} before answering PING");
                var log = ReadLogTail();
                if (log.Contains("Address already in use", StringComparison.Ordinal))
                {
                    _portTaken = true;
                    throw Failure(problem + " (the port was taken by someone else)");
                }

                throw Failure(problem);
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw Failure(string.Create(CultureInfo.InvariantCulture, $"did not answer PING within {timeout.TotalSeconds:0.#} s"));
            }

            if (await TryConfirmAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when the port answers PING and INFO says the answering process is ours.</summary>
    private async Task<bool> TryConfirmAsync(CancellationToken cancellationToken)
    {
        string? info;
        try
        {
            var client = await ConnectAsync(ProbeTimeout, cancellationToken).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var pong = await client.CallAsync("PING").ConfigureAwait(false);
                if (pong.IsError)
                {
                    // -LOADING and the like: up but not ready yet.
                    return false;
                }

                info = (await client.CallAsync("INFO", "server").ConfigureAwait(false)).AsString();
            }
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }

        var reported = info is null ? null : ServerInfo.Parse(info)["process_id"];
        if (reported == Pid.ToString(CultureInfo.InvariantCulture))
        {
            return true;
        }

        _portTaken = true;
        throw Failure(
            $"found 127.0.0.1:{Port} answered by another server (process_id {reported ?? "unknown"}), not by the redis-server we started: someone else holds the port");
    }

    private RedisServerException Failure(string problem)
    {
        var message = string.Create(CultureInfo.InvariantCulture,
            $"redis-server on 127.0.0.1:{Port} (pid {Pid}, dir {Directory}) {problem}.\nLast lines of {LogPath}:\n{ReadLogTail()}");
        var output = _output.ToString();
        if (output.Length > 0)
        {
            message += "\nIts stdout/stderr:\n" + output;
        }

        return new RedisServerException(message);
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }
}
