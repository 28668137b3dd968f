using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Model.Security;
using Tessera.Proxy;
using Tessera.Cli.Hosting;
using Tessera.Proxy.Hosting;
using Tessera.Model.Topology;
using Tessera.Proxy.Topology;

namespace Tessera.Cli.Verbs;

/// <summary>
/// <c>tessera proxy</c>: one proxy until Ctrl-C or SIGTERM, taking its routes either from the coordinator
/// store (<c>--store</c>: registers itself, follows the controller's changes, fences itself when it loses its
/// lease) or from a static topology file (<c>--config</c>: SIGHUP reloads it; an invalid file is reported and
/// the running topology kept).
/// </summary>
internal static class ProxyVerb
{
    /// <summary>Bound on the proxy answering its first PING once it listens.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var store = new Option<string?>("--store", "-s")
        {
            Description = "Coordinator store to take routes from: file:///abs/dir (one machine) or etcd://host:2379[,host:2379...]. The proxy registers there and follows every change the controller makes.",
        };
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "Static topology file (.yaml, .yml or .json) instead of a store: namespaces, their groups (master, replicas) and slot ranges.",
        };
        var admin = new Option<IPEndPoint?>("--admin", "-a")
        {
            Description = "Admin HTTP address (route pushes from the controller, /healthz, /api/topology). Default with --store: 127.0.0.1:19100.",
            CustomParser = CommonOptions.ParseListen,
        };
        var zone = new Option<string?>("--zone", "-z")
        {
            Description = "Zone label of this proxy (for nearest-replica reads).",
        };
        var listen = new Option<IPEndPoint?>("--listen", "-l")
        {
            Description = "Address clients connect to: ip:port (127.0.0.1:19000, 0.0.0.0:19000, [::1]:19000) or just a port.",
            DefaultValueFactory = _ => new IPEndPoint(IPAddress.Loopback, 19000),
            CustomParser = CommonOptions.ParseListen,
        };
        var proxyProtocol = new Option<bool>("--proxy-protocol")
        {
            Description = "Every client connection starts with a PROXY protocol header (v1 or v2) from the load balancer in front; its source address stands for the client. Connections without one are refused.",
        };
        var clusterFace = new Option<bool>("--cluster-face")
        {
            Description = "Answer as a node of a Redis Cluster (CLUSTER SLOTS/SHARDS/NODES/INFO/MYID/KEYSLOT, ASKING) whose 16384 slots are divided among the live proxies with this on, for cluster-aware clients. Every proxy still serves every key; no MOVED or ASK is sent. A connection whose namespace reads nearest is given only the proxies of this proxy's --zone; a TLS connection is given their --tls-listen ports.",
        };
        var noMetrics = new Option<bool>("--no-metrics")
        {
            Description = "Keep no metrics (nothing recorded per command; /metrics answers 404). For measuring what metrics cost; leave them on in production.",
        };
        var announce = new Option<string?>("--announce")
        {
            Description = "host:port the cluster face and `tessera proxies` give clients for this proxy (what they can reach); default: the --listen address.",
            CustomParser = ParseAnnounce,
        };
        var tls = new ProxyTlsOptions();
        var logLevel = CommonOptions.LogLevel(LogLevel.Information);

        var command = new Command("proxy", "Run a proxy until Ctrl-C or SIGTERM, with routes from the coordinator store (--store) or a topology file (--config).")
        {
            store, config, listen, admin, zone, proxyProtocol, clusterFace, noMetrics, announce, logLevel,
        }.WithEpilog("""
            With --store the proxy loads every namespace from the store, registers itself with a lease
            (renewed every ~1.7 s), applies the controller's route pushes on its admin port, and follows the
            store when a push is missed. If it cannot renew its lease it answers -TRYAGAIN until it can. Its admin
            API (all but /healthz) takes the cluster secret the controllers send, or an API token (viewer reads,
            operator pushes): curl -H "Authorization: Bearer $(cat ~/.config/tessera/admin.token)" ….

            With --config, send SIGHUP to reload the file; an invalid file is reported and the current
            topology kept. Its admin API answers reads to anyone and refuses route pushes (403).

            Behind a load balancer that sends the PROXY protocol (HAProxy send-proxy or send-proxy-v2, an AWS
            NLB with proxy protocol v2, Envoy), give --proxy-protocol: the header's source address is then the
            client's (CLIENT LIST, logs). Every connection must start with one; direct clients are refused.

            With --cluster-face, cluster-aware clients (redis-py RedisCluster, ioredis Cluster, node-redis
            createCluster, StackExchange.Redis, redis-cli -c) may be given any proxy: CLUSTER SLOTS divides the
            16384 slots among the live proxies that have it on (each proxy lists only itself with --config).
            A stopping proxy first leaves that table, then drains. --announce sets the address listed for it.
            With --tls-cert and --tls-key the client listener speaks TLS (with --tls-listen, a second listener
            does and --listen stays plain). The files are re-read when they change: replace them (write, then
            rename into place) and new connections get the new certificate while open ones keep theirs.
            --tls-client-ca asks every client for a certificate signed by that CA (mutual TLS); a namespace may
            then bind such clients without AUTH (tessera namespace set NS --client-cert-subject "CN=app").

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
              tessera proxy --store file:///var/lib/tessera --listen 127.0.0.1:19000 --admin 127.0.0.1:19100
              tessera proxy --store etcd://10.0.0.1:2379,10.0.0.2:2379 --listen 0.0.0.0:19000 --zone az1
              tessera proxy --config .tessera/topology.yaml --listen 127.0.0.1:19001
              tessera proxy -c topology.json -l 0.0.0.0:6380
              tessera proxy --store etcd://10.0.0.1:2379 --listen 0.0.0.0:19000 --proxy-protocol
              tessera proxy --store etcd://10.0.0.1:2379 --listen 0.0.0.0:19000 --cluster-face --announce 10.0.0.5:19000
              tessera proxy --store file:///var/lib/tessera --tls-cert proxy.crt --tls-key proxy.key --tls-client-ca ca.crt
              tessera proxy --store file:///var/lib/tessera --tls-cert proxy.crt --tls-key proxy.key --admin-tls --ca-cert ca.crt
            """);

        command.SetAction((parse, _) =>
        {
            string? storeUrl = parse.GetValue(store);
            FileInfo? configFile = parse.GetValue(config);
            if ((storeUrl is null) == (configFile is null))
            {
                Console.Error.WriteLine("error: give exactly one of --store <url> (routes from the coordinator store) or --config <file> (a static topology file). See `tessera proxy --help`.");
                return Task.FromResult(ExitCodes.Usage);
            }

            var tlsError = tls.Read(parse, out var tlsFiles, out var tlsListen);
            TlsFiles? adminTls = null;
            string? caFile = null;
            tlsError ??= tls.ReadAdmin(parse, tlsFiles, out adminTls, out caFile);
            if (tlsError is not null)
            {
                Console.Error.WriteLine("error: " + tlsError);
                return Task.FromResult(ExitCodes.Usage);
            }

            var options = new ProxyOptions
            {
                Listen = parse.GetValue(listen)!,
                Zone = parse.GetValue(zone),
                AcceptProxyProtocol = parse.GetValue(proxyProtocol),
                ClusterFace = parse.GetValue(clusterFace),
                Metrics = !parse.GetValue(noMetrics),
                Announce = parse.GetValue(announce),
                Tls = tlsFiles,
                TlsListen = tlsListen,
                AdminTls = adminTls,
                CaCertFile = caFile,
            };
            return storeUrl is not null
                ? RunWithStoreAsync(storeUrl, options with { Admin = parse.GetValue(admin) ?? new IPEndPoint(IPAddress.Loopback, 19100) }, parse.GetValue(logLevel))
                : RunAsync(configFile!, options with { Admin = parse.GetValue(admin) }, parse.GetValue(logLevel));
        });
        foreach (var option in tls.All)
        {
            command.Options.Add(option);
        }

        return command;
    }

    /// <summary>--announce: host:port (a name, an IPv4 address or [IPv6]) with a port from 1 to 65535.</summary>
    private static string? ParseAnnounce(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            result.AddError($"--announce wants host:port (e.g. 10.0.0.5:19000 or [fd00::5]:19000), not '{text}'");
            return null;
        }

        return text;
    }

    /// <summary>Starts a proxy; on failure prints why and gives the exit code (Ctrl-C while starting is an interruption, not an error).</summary>
    private static async Task<(ProxyServer? Proxy, int ExitCode)> StartAsync(Func<Task<ProxyServer>> start, ShutdownSignal signal, string where)
    {
        try
        {
            return (await start().ConfigureAwait(false), ExitCodes.Ok);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            return (null, ExitCodes.Interrupted);
        }
#pragma warning disable CA1031 // Whatever stopped the proxy from starting, the user needs the reason.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"error: could not start the proxy {where}: {e.Message.TrimEnd('.')}.").ConfigureAwait(false);
            return (null, ExitCodes.Failure);
        }
    }

    private static async Task<int> RunWithStoreAsync(string storeUrl, ProxyOptions options, LogLevel logLevel)
    {
        using var loggerFactory = CliLogging.Create(logLevel);
        using var signal = new ShutdownSignal();
        var (proxy, exitCode) = await StartAsync(() => ProxyServer.StartWithStoreAsync(options, storeUrl, loggerFactory, signal.Token), signal, $"on {options.Listen} with store {storeUrl}").ConfigureAwait(false);
        if (proxy is null)
        {
            return exitCode;
        }

        await using (proxy.ConfigureAwait(false))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Tessera proxy {proxy.Id} is ready on {proxy.Endpoint} (admin {proxy.AdminUrl}, store {storeUrl}, epoch {proxy.Epoch}): redis-cli -h {proxy.Endpoint.Address} -p {proxy.Endpoint.Port}{TlsHint(proxy)}"));
            await signal.WaitAsync().ConfigureAwait(false);
            Console.WriteLine($"Received {signal.Received}: stopping the proxy.");
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> RunAsync(FileInfo configFile, ProxyOptions options, LogLevel logLevel)
    {
        var error = Console.Error;
        var listen = options.Listen;
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

        var (proxy, exitCode) = await StartAsync(() => ProxyServer.StartAsync(options, topology, loggerFactory, signal.Token), signal, $"on {listen}").ConfigureAwait(false);
        if (proxy is null)
        {
            return exitCode;
        }

        await using (proxy.ConfigureAwait(false))
        {
            running = proxy;
            try
            {
                // A TLS-only listener was checked by Kestrel binding it; a plain one answers a PING first.
                if (!Equals(proxy.TlsEndpoint, proxy.Endpoint) && !await ProxyReadiness.WaitForPongAsync(proxy.Endpoint, ReadyTimeout, signal.Token).ConfigureAwait(false))
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
                $"Tessera proxy is ready on {proxy.Endpoint}: redis-cli -h {proxy.Endpoint.Address} -p {proxy.Endpoint.Port}{TlsHint(proxy)}"));
            await signal.WaitAsync().ConfigureAwait(false);
            Console.WriteLine($"Received {signal.Received}: stopping the proxy.");
        }

        return ExitCodes.Ok;
    }

    /// <summary>How to reach the TLS listener, for the ready line.</summary>
    private static string TlsHint(ProxyServer proxy) => proxy.TlsEndpoint is not { } tls
        ? ""
        : Equals(tls, proxy.Endpoint)
            ? " --tls --cacert <ca.crt> (TLS)"
            : string.Create(CultureInfo.InvariantCulture, $"; TLS on {tls}: redis-cli --tls --cacert <ca.crt> -h {tls.Address} -p {tls.Port}");

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
