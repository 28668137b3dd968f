using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Cli.Hosting;
using Tessera.Controller;
using Tessera.Controller.Hosting;

namespace Tessera.Cli.Verbs;

/// <summary>
/// <c>tessera controller</c>: the controller's HTTP API and its campaign for the leader lock in the store, until
/// Ctrl-C or SIGTERM (which steps down at once so a standby takes over without waiting for the lease).
/// </summary>
internal static class ControllerVerb
{
    public static Command Create()
    {
        var store = new Option<string>("--store", "-s")
        {
            Description = "Coordinator store: file:///var/lib/tessera (one machine) or etcd://host:2379[,host:2379…].",
            HelpName = "url",
            Required = true,
        };
        var listen = new Option<IPEndPoint?>("--listen", "-l")
        {
            Description = "Address of the HTTP API: ip:port or just a port. Admin verbs use --controller http://<this>.",
            DefaultValueFactory = _ => ControllerOptions.DefaultListen,
            CustomParser = CommonOptions.ParseListen,
        };
        var id = new Option<string?>("--id")
        {
            Description = "This controller's name in the leader lock (default: host name and process id).",
            HelpName = "name",
        };
        var ttl = new Option<double>("--lease-ttl")
        {
            Description = "Seconds the leader lease lives without renewal; a standby takes over within about this long after the leader dies.",
            HelpName = "seconds",
            DefaultValueFactory = _ => 5,
        };
        var downAfter = new Option<double>("--down-after")
        {
            Description = "Seconds a server may stay silent before this controller votes it down; a master a majority of controllers vote down is failed over.",
            HelpName = "seconds",
            DefaultValueFactory = _ => new HealthOptions().DownAfter.TotalSeconds,
        };
        var adminTokenFile = new Option<string>("--admin-token-file")
        {
            Description = "Where to write the first admin token (mode 0600) when the store has no API token yet; the admin verbs look there by default.",
            HelpName = "path",
            DefaultValueFactory = _ => ControllerOptions.DefaultAdminTokenFile(),
        };
        var tlsCert = new Option<FileInfo?>("--tls-cert") { Description = "PEM certificate (leaf first) for HTTPS on the API; re-read when the file changes. Admin verbs then use --controller https://…", HelpName = "file" };
        var tlsKey = new Option<FileInfo?>("--tls-key") { Description = "PEM private key of --tls-cert.", HelpName = "file" };
        var caCert = new Option<FileInfo?>("--ca-cert") { Description = $"PEM CA trusted (besides the system's) when calling proxies' admin APIs over https (default: ${Tessera.Model.Security.TlsTrust.CaVariable}).", HelpName = "file" };
        var logLevel = CommonOptions.LogLevel(LogLevel.Information);
        var command = new Command("controller", "Run a controller: the HTTP API that changes the topology in the store and pushes routes to proxies.")
        {
            store, listen, id, ttl, downAfter, adminTokenFile, tlsCert, tlsKey, caCert, logLevel,
        }.WithEpilog("""
            Several controllers may share one store: one holds the leader lock and accepts changes, the others
            answer reads, refuse changes with the leader's address, and take over when the leader goes.
            Prints a line containing "ready" once the API listens.

            Every API call needs a bearer token (`tessera token --help`). The first controller on a store without
            tokens creates token 'admin' and writes it to --admin-token-file (logged: the path, never the token);
            later starts, and other controllers on the store, write nothing. Proxies and controllers authenticate
            each other with a cluster secret the first controller creates in the store.

            Examples:
              tessera controller --store file:///var/lib/tessera
              tessera controller --store etcd://10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379 --listen 0.0.0.0:18080 --id ctl-a
              tessera status --controller http://127.0.0.1:18080     (in another terminal)
              tessera controller --store file:///var/lib/tessera --tls-cert ctl.crt --tls-key ctl.key --ca-cert ca.crt
            """);
        command.SetAction((parse, _) =>
        {
            var (cert, key) = (parse.GetValue(tlsCert), parse.GetValue(tlsKey));
            if ((cert is null) != (key is null))
            {
                Console.Error.WriteLine("error: give both --tls-cert and --tls-key");
                return Task.FromResult(ExitCodes.Usage);
            }

            return RunAsync(
            new ControllerOptions
            {
                Tls = cert is null ? null : new Tessera.Model.Security.TlsFiles(cert.FullName, key!.FullName),
                CaCertFile = Tessera.Model.Security.TlsTrust.CaFile(parse.GetValue(caCert)?.FullName),
                StoreUrl = parse.GetValue(store)!,
                Listen = parse.GetValue(listen)!,
                Id = parse.GetValue(id),
                LeaseTtl = TimeSpan.FromSeconds(parse.GetValue(ttl)),
                Health = new HealthOptions { DownAfter = TimeSpan.FromSeconds(parse.GetValue(downAfter)) },
                AdminTokenFile = parse.GetValue(adminTokenFile)!,
            },
            parse.GetValue(logLevel));
        });
        return command;
    }

    private static async Task<int> RunAsync(ControllerOptions options, LogLevel logLevel)
    {
        var error = Console.Error;
        using var signal = new ShutdownSignal();
        using var loggerFactory = CliLogging.Create(logLevel);
        ControllerServer controller;
        try
        {
            controller = await ControllerServer.StartAsync(options, loggerFactory, cancellationToken: signal.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (IOException e)
        {
            await error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        await using (controller.ConfigureAwait(false))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Tessera controller {controller.Id} is ready on {controller.Url.ToString().TrimEnd('/')} (store {controller.StoreUrl}, lease TTL {options.LeaseTtl.TotalSeconds:0.##} s); it leads once it holds the leader lock."));
            await signal.WaitAsync().ConfigureAwait(false);
            Console.WriteLine($"Received {signal.Received}: stepping down and stopping.");
        }

        return ExitCodes.Ok;
    }
}
