using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Cli.Hosting;
using Tessera.Cli.Up;
using Tessera.Controller;
using Tessera.Local.Clusters;
using Tessera.Local.Networking;
using Tessera.Local.Servers;

namespace Tessera.Cli.Verbs;

/// <summary>
/// <c>tessera up</c>: a whole Tessera on this machine — a controller and a proxy in this process on one
/// coordinator store, and redis-servers that the controller makes into groups through the same API calls the
/// admin verbs make — until Ctrl-C or SIGTERM, which stops all of it.
/// </summary>
internal static class UpVerb
{
    public static Command Create()
    {
        var groups = new Option<int>("--groups")
        {
            Description = "Number of groups (shards). Each is one master plus --replicas replicas and owns an equal share of the 1024 slots.",
            DefaultValueFactory = _ => 2,
        }.InRange(1, 1024);
        var replicas = new Option<int>("--replicas")
        {
            Description = "Replicas per group; the controller makes them replicas of their master with REPLICAOF.",
            DefaultValueFactory = _ => 1,
        }.InRange(0, 16);
        var port = new Option<int>("--port")
        {
            Description = "Port of the proxy on 127.0.0.1; clients connect here.",
            DefaultValueFactory = _ => 19000,
        }.InRange(1, IPEndPoint.MaxPort);
        var dir = new Option<string>("--dir")
        {
            Description = "Directory for the redis-servers' data and logs (one subfolder each) and the default store (<dir>/store).",
            DefaultValueFactory = _ => "./.tessera",
        };
        var store = new Option<string?>("--store")
        {
            Description = "Coordinator store shared by the controller and the proxy: file:///abs/dir or etcd://host:2379[,host:2379...]. Default: file://<dir>/store, emptied at every start.",
            HelpName = "url",
        };
        var reset = new Option<bool>("--reset")
        {
            Description = "With --store: remove a namespace 'default' that the store already has (from an earlier run) instead of refusing to start.",
        };
        var controllerPort = new Option<int>("--controller-port")
        {
            Description = "Port of the controller's HTTP API on 127.0.0.1. Admin verbs reach the default one without flags.",
            DefaultValueFactory = _ => ControllerOptions.DefaultListen.Port,
        }.InRange(1, IPEndPoint.MaxPort);
        var adminPort = new Option<int>("--admin-port")
        {
            Description = "Port of the proxy's admin HTTP API on 127.0.0.1 (route pushes from the controller, /healthz, /api/topology).",
            DefaultValueFactory = _ => 19100,
        }.InRange(1, IPEndPoint.MaxPort);
        var basePort = new Option<int>("--base-port")
        {
            Description = "First redis-server port; servers take consecutive ports from here. 0 picks free ports.",
            DefaultValueFactory = _ => 0,
        }.InRange(0, IPEndPoint.MaxPort);
        var logLevel = CommonOptions.LogLevel(LogLevel.Warning);

        var command = new Command("up", "Start a local Tessera (controller, proxy, redis-server groups with replicas) until Ctrl-C or SIGTERM.")
        {
            groups, replicas, port, dir, store, reset, controllerPort, adminPort, basePort, logLevel,
        }.WithEpilog("""
            Starts a controller (HTTP API on 127.0.0.1:--controller-port) and a proxy (127.0.0.1:--port, admin API
            on 127.0.0.1:--admin-port) in this process, both on the coordinator store, and --groups x (1 + --replicas)
            bare redis-servers (no persistence, 127.0.0.1 only). Then it builds the cluster through the controller's
            API with the calls the admin verbs make, and prints each as the command you would type:
              tessera namespace create default
              tessera group create default 1
              tessera group add default 1 127.0.0.1:<master port>     the first server of a group is its master
              tessera group add default 1 127.0.0.1:<replica port>    later ones become replicas (REPLICAOF)
              tessera slots assign default 0-511 1                      even contiguous ranges, one per group
            It prints a line containing "ready" once the proxy serves that namespace and answers through every
            group. Admin verbs (tessera status, tessera group ...) work against it without flags unless you changed
            --controller-port; then the ready line shows the --controller flag to use.
            Ctrl-C or SIGTERM stops the proxy, the controller and every redis-server it started.

            The store: by default <dir>/store, emptied at every start, since the redis-servers are new each time.
            With --store the store is left as it is: if its namespace 'default' already has groups, `up` refuses
            to start unless --reset is given, which removes that namespace first (its old servers are not
            touched). Other namespaces in the store are left alone. A second `up` on the same --dir is refused.

            Examples:
              tessera up                                   2 groups x 1 replica, proxy on 127.0.0.1:19000
              tessera up --groups 3 --replicas 2 --port 7000 --dir /tmp/tessera
              tessera up --store etcd://127.0.0.1:2379 --reset
              redis-cli -p 19000 set user:1 alice          (in another terminal, once it says ready)
              tessera status                               (the controller's view: groups, roles, proxies)
            """);

        command.SetAction((parse, _) => RunAsync(new UpSettings
        {
            Groups = parse.GetValue(groups),
            Replicas = parse.GetValue(replicas),
            Port = parse.GetValue(port),
            ControllerPort = parse.GetValue(controllerPort),
            AdminPort = parse.GetValue(adminPort),
            BasePort = parse.GetValue(basePort),
            Directory = Path.GetFullPath(parse.GetValue(dir) ?? "./.tessera"),
            Store = parse.GetValue(store),
            Reset = parse.GetValue(reset),
            LogLevel = parse.GetValue(logLevel),
        }));
        return command;
    }

    private static async Task<int> RunAsync(UpSettings settings)
    {
        using var signal = new ShutdownSignal();
        var error = Console.Error;
        if (CheckPorts(settings) is { } busy)
        {
            await error.WriteLineAsync(busy).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var redis = await RedisInstaller.EnsureInstalledAsync(error, signal.Token).ConfigureAwait(false);
        if (!redis.IsAvailable)
        {
            await error.WriteLineAsync(redis.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        using var loggerFactory = CliLogging.Create(settings.LogLevel);
        LocalTessera up;
        try
        {
            up = await LocalTessera.StartAsync(settings, loggerFactory, Console.Out, signal.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            await error.WriteLineAsync($"Interrupted by {signal.Received} while starting; everything started so far was stopped.").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (UpException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (RedisServerException e)
        {
            await error.WriteLineAsync("error: could not start the redis-servers: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var servers = up.Cluster!.Servers.Count;
        await using (up.ConfigureAwait(false))
        {
            UpSummary.Write(up, settings);
            var watcher = WatchServersAsync(up.Cluster, signal.Token);
            await signal.WaitAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Received {signal.Received}: stopping the proxy, the controller and {servers} redis-server(s)..."));
        }

        Console.WriteLine("Stopped: the proxy, the controller and every redis-server are down.");
        return ExitCodes.Ok;
    }

    /// <summary>A message when the three listening ports clash or one is taken; null when all are free.</summary>
    private static string? CheckPorts(UpSettings settings)
    {
        (string Option, int Port)[] ports = [("--port", settings.Port), ("--controller-port", settings.ControllerPort), ("--admin-port", settings.AdminPort)];
        for (var i = 0; i < ports.Length; i++)
        {
            for (var j = i + 1; j < ports.Length; j++)
            {
                if (ports[i].Port == ports[j].Port)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"{ports[i].Option} and {ports[j].Option} are both {ports[i].Port}: the proxy, its admin API and the controller each need a port of their own.");
                }
            }
        }

        foreach (var (option, port) in ports)
        {
            if (!FreePort.IsFree(port))
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"Port {port} on 127.0.0.1 is already in use (another `tessera up`?): stop what holds it, or pick another port with {option}.");
            }
        }

        return null;
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
}
