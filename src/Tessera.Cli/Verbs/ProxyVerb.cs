using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Cli.Hosting;
using Tessera.Proxy.Hosting;
using Tessera.Model.Topology;
using Tessera.Proxy.Topology;

namespace Tessera.Cli.Verbs;

/// <summary>
/// <c>tessera proxy</c>: one proxy serving the groups of a topology file until Ctrl-C or SIGTERM. SIGHUP
/// reloads the file; an invalid file is reported and the running topology kept.
/// </summary>
internal static class ProxyVerb
{
    /// <summary>Bound on the proxy answering its first PING once it listens.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "Topology file (.yaml, .yml or .json): namespaces, their groups (master, replicas) and slot ranges. `tessera up` writes one.",
            Required = true,
        };
        var listen = new Option<IPEndPoint?>("--listen", "-l")
        {
            Description = "Address clients connect to: ip:port (127.0.0.1:19000, 0.0.0.0:19000, [::1]:19000) or just a port.",
            DefaultValueFactory = _ => new IPEndPoint(IPAddress.Loopback, 19000),
            CustomParser = CommonOptions.ParseListen,
        };
        var logLevel = CommonOptions.LogLevel(LogLevel.Information);

        // `--store <url>` (file:// or etcd://) joins here once the coordinator store exists; --config stays for static setups.
        var command = new Command("proxy", "Run a proxy serving the groups of a topology file until Ctrl-C or SIGTERM (SIGHUP reloads the file).")
        {
            config, listen, logLevel,
        }.WithEpilog("""
            Send SIGHUP to reload the file; an invalid file is reported and the current topology kept.

            Topology file (YAML; JSON has the same keys):
              epoch: 1
              namespaces:
                - name: default
                  groups:
                    - { id: 1, master: 127.0.0.1:7001, replicas: [127.0.0.1:7002] }
                    - { id: 2, master: 127.0.0.1:7003 }
                  slots:
                    - { from: 0, to: 511, group: 1 }
                    - { from: 512, to: 1023, group: 2 }

            Examples:
              tessera proxy --config .tessera/topology.yaml --listen 127.0.0.1:19001
              tessera proxy -c topology.json -l 0.0.0.0:6380
            """);

        command.SetAction((parse, _) => RunAsync(parse.GetValue(config)!, parse.GetValue(listen)!, parse.GetValue(logLevel)));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo configFile, IPEndPoint listen, LogLevel logLevel)
    {
        var error = Console.Error;
        TopologyConfig topology;
        try
        {
            topology = TopologyFile.Load(configFile.FullName);
        }
        catch (TopologyFileException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        using var loggerFactory = CliLogging.Create(logLevel);
        var logger = loggerFactory.CreateLogger("Tessera.Cli.Proxy");
        ProxyServer? running = null;
        using var signal = new ShutdownSignal(onHangup: () => Reload(configFile.FullName, running, logger));

        ProxyServer proxy;
        try
        {
            proxy = await ProxyServer.StartAsync(new ProxyOptions { Listen = listen }, topology, loggerFactory, signal.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // Whatever stopped the proxy from starting, the user needs the reason.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"Could not start the proxy on {listen}: {e.Message.TrimEnd('.')}.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await using (proxy.ConfigureAwait(false))
        {
            running = proxy;
            try
            {
                if (!await ProxyReadiness.WaitForPongAsync(proxy.Endpoint, ReadyTimeout, signal.Token).ConfigureAwait(false))
                {
                    await error.WriteLineAsync($"The proxy on {proxy.Endpoint} did not answer PING in time; stopping.").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }
            }
            catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }

            Console.WriteLine(Describe(configFile.FullName, topology));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Tessera proxy is ready on {proxy.Endpoint}: redis-cli -h {proxy.Endpoint.Address} -p {proxy.Endpoint.Port}"));
            await signal.WaitAsync().ConfigureAwait(false);
            Console.WriteLine($"Received {signal.Received}: stopping the proxy.");
        }

        return ExitCodes.Ok;
    }

    /// <summary>SIGHUP: load the file again and apply it; keep the running topology when the file is invalid.</summary>
    private static void Reload(string path, ProxyServer? proxy, ILogger logger)
    {
        if (proxy is null)
        {
            logger.LogWarning("SIGHUP ignored: the proxy is still starting.");
            return;
        }

        try
        {
            var topology = TopologyFile.Load(path);
            proxy.ApplyTopology(topology);
            logger.LogInformation("Reloaded {Path}: epoch {Epoch}.", path, topology.Epoch);
        }
        catch (TopologyFileException e)
        {
            logger.LogError("Reload of {Path} failed; still serving the previous topology. {Problem}", path, e.Message);
        }
#pragma warning disable CA1031 // A failed reload must never take down a serving proxy; it is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Applying the topology from {Path} failed; still serving the previous topology.", path);
        }
    }

    private static string Describe(string path, TopologyConfig topology)
    {
        var parts = new List<string>();
        foreach (var ns in topology.Namespaces)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"'{ns.Name}' ({ns.Groups.Count} group(s))"));
        }

        return string.Create(CultureInfo.InvariantCulture, $"Serving {path} (epoch {topology.Epoch}): namespace(s) {string.Join(", ", parts)}.");
    }
}
