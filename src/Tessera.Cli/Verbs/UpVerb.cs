using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Cli.Hosting;
using Tessera.Cli.Output;
using Tessera.Local.Clusters;
using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Proxy.Hosting;
using Tessera.Model.Topology;
using Tessera.Proxy.Topology;

namespace Tessera.Cli.Verbs;

/// <summary>
/// <c>tessera up</c>: a whole Tessera on this machine — redis-server groups with replicas, a topology file
/// describing them, and a proxy in this process — until Ctrl-C or SIGTERM, which stops all of it.
/// </summary>
internal static class UpVerb
{
    /// <summary>Bound on the proxy answering its first PING once it listens.</summary>
    private static readonly TimeSpan ProxyReadyTimeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var groups = new Option<int>("--groups")
        {
            Description = "Number of groups (shards). Each is one master plus --replicas replicas and owns an equal share of the 1024 slots.",
            DefaultValueFactory = _ => 2,
        }.InRange(1, 1024);
        var replicas = new Option<int>("--replicas")
        {
            Description = "Replicas per group, kept in sync with REPLICAOF.",
            DefaultValueFactory = _ => 1,
        }.InRange(0, 16);
        var port = new Option<int>("--port")
        {
            Description = "Port of the proxy on 127.0.0.1; clients connect here.",
            DefaultValueFactory = _ => 19000,
        }.InRange(1, IPEndPoint.MaxPort);
        var dir = new Option<string>("--dir")
        {
            Description = "Directory for the redis-servers' data and logs (one subfolder each) and topology.yaml.",
            DefaultValueFactory = _ => "./.tessera",
        };
        var basePort = new Option<int>("--base-port")
        {
            Description = "First redis-server port; servers take consecutive ports from here. 0 picks free ports.",
            DefaultValueFactory = _ => 0,
        }.InRange(0, IPEndPoint.MaxPort);
        var logLevel = CommonOptions.LogLevel(LogLevel.Warning);

        var command = new Command("up", "Start a local Tessera (redis-server groups with replicas, and a proxy) until Ctrl-C or SIGTERM.")
        {
            groups, replicas, port, dir, basePort, logLevel,
        }.WithEpilog("""
            Starts --groups groups of 1 master + --replicas replicas (redis-server, no persistence, 127.0.0.1 only),
            writes <dir>/topology.yaml and serves it with a proxy in this process. Prints a line containing
            "ready" once the proxy answers. Ctrl-C or SIGTERM stops the proxy and every redis-server it started.

            Examples:
              tessera up                                   2 groups x 1 replica, proxy on 127.0.0.1:19000
              tessera up --groups 3 --replicas 2 --port 7000 --dir /tmp/tessera
              redis-cli -p 19000 set user:1 alice          (in another terminal, once it says ready)
            """);

        command.SetAction((parse, _) => RunAsync(new UpSettings(
            parse.GetValue(groups),
            parse.GetValue(replicas),
            parse.GetValue(port),
            parse.GetValue(dir) ?? "./.tessera",
            parse.GetValue(basePort),
            parse.GetValue(logLevel))));
        return command;
    }

    private static async Task<int> RunAsync(UpSettings settings)
    {
        using var signal = new ShutdownSignal();
        var error = Console.Error;
        if (!FreePort.IsFree(settings.Port))
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Port {settings.Port} on 127.0.0.1 is already in use (another `tessera up`?): stop what holds it, or pick another port with --port.")).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var redis = await RedisInstaller.EnsureInstalledAsync(error, signal.Token).ConfigureAwait(false);
        if (!redis.IsAvailable)
        {
            await error.WriteLineAsync(redis.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var directory = Path.GetFullPath(settings.Directory);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Starting {settings.Groups} group(s) x (1 master + {settings.Replicas} replica(s)) under {directory} ..."));

        LocalCluster cluster;
        try
        {
            cluster = await LocalCluster.StartAsync(
                new LocalClusterOptions { Directory = directory, Groups = settings.Groups, Replicas = settings.Replicas, BasePort = settings.BasePort },
                signal.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            await error.WriteLineAsync($"Interrupted by {signal.Received} while starting; every redis-server started so far was stopped.").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (RedisServerException e)
        {
            await error.WriteLineAsync("Could not start the local cluster: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        if (cluster.LeftoversStopped.Count > 0)
        {
            Console.WriteLine($"Stopped {cluster.LeftoversStopped.Count} redis-server(s) that an earlier run left in {directory} (pids {string.Join(", ", cluster.LeftoversStopped)}).");
        }

        int code;
        await using (cluster.ConfigureAwait(false))
        {
            code = await ServeAsync(cluster, settings, signal).ConfigureAwait(false);
        }

        if (code == ExitCodes.Ok)
        {
            Console.WriteLine("Stopped: the proxy and every redis-server are down.");
        }

        return code;
    }

    /// <summary>With the cluster up: topology file, proxy, summary, then wait for the stop signal.</summary>
    private static async Task<int> ServeAsync(LocalCluster cluster, UpSettings settings, ShutdownSignal signal)
    {
        var error = Console.Error;
        var topologyPath = Path.Combine(cluster.Directory, "topology.yaml");
        TopologyFile.Save(cluster.Topology, topologyPath, string.Create(CultureInfo.InvariantCulture,
            $"Written by `tessera up` at {DateTime.UtcNow:u}; these servers stop when it does.\nServe it again with: tessera proxy --config {topologyPath}"));

        using var loggerFactory = CliLogging.Create(settings.LogLevel);
        var listen = new IPEndPoint(IPAddress.Loopback, settings.Port);
        ProxyServer proxy;
        try
        {
            proxy = await ProxyServer.StartAsync(new ProxyOptions { Listen = listen }, cluster.Topology, loggerFactory, signal.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            await error.WriteLineAsync($"Interrupted by {signal.Received}; stopping the redis-servers.").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // Whatever stopped the proxy from starting, the user needs the reason and the servers must be stopped.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"Could not start the proxy on {listen}: {e.Message.TrimEnd('.')}. Stopping the redis-servers.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await using (proxy.ConfigureAwait(false))
        {
            try
            {
                if (!await ProxyReadiness.WaitForPongAsync(proxy.Endpoint, ProxyReadyTimeout, signal.Token).ConfigureAwait(false))
                {
                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"The proxy on {proxy.Endpoint} did not answer PING within {ProxyReadyTimeout.TotalSeconds:0} s; stopping. Rerun with --log-level Information to see why.")).ConfigureAwait(false);
                    return ExitCodes.Failure;
                }
            }
            catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
            {
                await error.WriteLineAsync($"Interrupted by {signal.Received}; stopping.").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }

            ClusterSummary.Write(cluster, topologyPath, proxy.Endpoint.Port);
            var watcher = WatchServersAsync(cluster, signal.Token);
            await signal.WaitAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
            Console.WriteLine($"Received {signal.Received}: stopping the proxy and {cluster.Servers.Count} redis-server(s)...");
        }

        // The proxy is disposed above; the caller disposes the cluster right after this returns.
        return ExitCodes.Ok;
    }

    /// <summary>Says so on stderr when a redis-server dies while we run, with where to find its log.</summary>
    private static async Task WatchServersAsync(LocalCluster cluster, CancellationToken cancellationToken)
    {
        var reported = new HashSet<int>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
                foreach (var server in cluster.Servers)
                {
                    // Ctrl-C in a terminal reaches the redis-servers too (same process group); that exit is expected.
                    if (server.HasExited && !cancellationToken.IsCancellationRequested && reported.Add(server.Pid))
                    {
                        await Console.Error.WriteLineAsync($"warning: {server} exited unexpectedly; its log is {server.LogPath}").ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private sealed record UpSettings(int Groups, int Replicas, int Port, string Directory, int BasePort, LogLevel LogLevel);
}
