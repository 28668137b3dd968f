using System.CommandLine;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera namespace create|list|set|remove|user</c>.</summary>
internal static class NamespaceVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var command = new Command("namespace", "Create, list, configure and remove namespaces (tenants: each has its own groups and 1024 slots).")
        {
            controller,
            CreateVerb(controller),
            ListVerb(controller),
            SetVerb(controller),
            RemoveVerb(controller),
            NamespaceUserVerb.Create(controller),
        }.WithEpilog("""
            Clients pick their namespace with AUTH <namespace> <password> (or AUTH <password>: passwords are unique).
            An open namespace needs no password; a client that never AUTHs uses the open namespace "default".

            Examples:
              tessera namespace create shop
              tessera namespace user add shop app --deny @admin,@dangerous
              tessera namespace list
              tessera namespace set shop --readonly true
              tessera namespace remove shop
            """);
        return command;
    }

    private static Command CreateVerb(Option<Uri> controller)
    {
        var name = NameArgument();
        var open = new Option<bool>("--open")
        {
            Description = "Let clients use it without a password (quick starts, trusted networks). Without it, clients AUTH with a user's password: add one with `tessera namespace user add`.",
        };
        var json = AdminOptions.Json();
        var command = new Command("create", "Create an empty namespace; then add users and groups and assign its slots.") { name, open, json }
            .WithEpilog("""
                Names are 1-64 letters, digits, '-', '_' or '.'. A client that does not AUTH uses the namespace "default"
                when it is open.

                Examples:
                  tessera namespace create default --open
                  tessera namespace create shop
                  tessera namespace user add shop app
                  tessera group create shop 1
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.CreateNamespaceAsync(parse.GetValue(name)!, parse.GetValue(open), ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }

    private static Command ListVerb(Option<Uri> controller)
    {
        var json = AdminOptions.Json();
        var command = new Command("list", "List namespaces with their epoch, groups, servers and assigned slots.") { json }
            .WithEpilog("""
                Example:
                  tessera namespace list --json
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var namespaces = await client.ListNamespacesAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(namespaces);
                return;
            }

            if (namespaces.Count == 0)
            {
                output.Line("No namespaces yet: create one with `tessera namespace create default`.");
                return;
            }

            output.Table(
                ["NAMESPACE", "EPOCH", "GROUPS", "SERVERS", "SLOTS ASSIGNED", "ACCESS", "WRITES", "READS", "FLUSH", "LIMITS"],
                namespaces.Select(static n => (IReadOnlyList<string>)
                [
                    n.Name,
                    n.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    n.Groups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    n.Groups.Sum(static g => (g.Master.Length > 0 ? 1 : 0) + g.Replicas.Count).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"{n.Slots.Sum(static r => r.To - r.From + 1)}/1024",
                    n.Open ? "open" : "password",
                    n.ReadOnly ? "read-only" : "allowed",
                    Model.Topology.ReadSettings.Name(n.Reads?.Mode ?? Model.Topology.ReadMode.Master),
                    n.AllowFlush ? "allowed" : "refused",
                    Limits(n),
                ]));
        }, cancel));
        return command;
    }

    private static string Limits(Model.Topology.NamespaceConfig ns)
    {
        var parts = new List<string>();
        if (ns.Quota is { } q)
        {
            if (q.OpsPerSecond is > 0) parts.Add($"{q.OpsPerSecond} ops/s");
            if (q.BytesInPerSecond is > 0) parts.Add($"{q.BytesInPerSecond} B/s in");
            if (q.BytesOutPerSecond is > 0) parts.Add($"{q.BytesOutPerSecond} B/s out");
            if (q.MaxConnections is > 0) parts.Add($"{q.MaxConnections} conns");
            if (q.MaxRequestBytes is > 0) parts.Add($"{q.MaxRequestBytes} B/req");
        }

        if (ns.AllowedIps.Count > 0) parts.Add($"ips {string.Join(",", ns.AllowedIps)}");
        if (ns.RequireTls) parts.Add("tls");
        if (ns.ClientCertificates.Count > 0) parts.Add($"certs {string.Join(";", ns.ClientCertificates)}");
        return parts.Count == 0 ? "-" : string.Join(" ", parts);
    }

    private static Command SetVerb(Option<Uri> controller)
    {
        var name = NameArgument();
        var allowFlush = new Option<bool?>("--allow-flush")
        {
            Description = "true: FLUSHDB/FLUSHALL through the proxies empty every group of the namespace; false (the default for a new namespace): they are refused.",
            HelpName = "true|false",
        };
        var open = new Option<bool?>("--open")
        {
            Description = "true: clients may use the namespace without a password; false: they AUTH with a user's password (connections already open stay).",
            HelpName = "true|false",
        };
        var readOnly = new Option<bool?>("--readonly")
        {
            Description = "true: writes answer -READONLY naming the namespace, reads go on (e.g. while moving it elsewhere); false: writes work again.",
            HelpName = "true|false",
        };
        var allowIp = new Option<string[]>("--allow-ip")
        {
            Description = "Only clients from these addresses or CIDR networks (IPv4/IPv6) may AUTH; repeat it for several. Replaces the list; live connections from addresses no longer allowed are closed. Behind a load balancer, run the proxies with --proxy-protocol so they see the client's address.",
            HelpName = "cidr",
            AllowMultipleArgumentsPerToken = false,
        };
        var anyIp = new Option<bool>("--allow-any-ip") { Description = "Remove the allow-list: clients from any address." };
        var maxOps = QuotaOption("--max-ops", "Commands per second, cluster-wide (each command of a pipeline or MULTI counts); each proxy enforces its share. Over it, clients are slowed (their reads pause), not failed.");
        var maxBytes = QuotaOption("--max-bytes", "Request bytes per second clients may send, cluster-wide.");
        var maxBytesOut = QuotaOption("--max-bytes-out", "Reply bytes per second sent to clients, cluster-wide (over it, the clients' reads pause until the replies are paid for).");
        var maxConnections = QuotaOption("--max-connections", "Client connections at once, cluster-wide; an AUTH over it is refused with a clear error.");
        var maxRequest = QuotaOption("--max-request-bytes", "Largest single request in bytes; larger ones are refused.");
        var readMode = new Option<string?>("--read-mode")
        {
            Description = "Where read-only commands go: master (the default), replica (fresh replicas only; -TRYAGAIN when a group has none), prefer-replica (fresh replicas, else the master), nearest (a fresh replica in the proxy's zone, then --read-fallback). Only replicas the controller measures fresh get reads.",
            HelpName = "mode",
        };
        readMode.AcceptOnlyFromAmong("master", "replica", "prefer-replica", "nearest");
        var maxLag = new Option<long?>("--max-lag")
        {
            Description = "How far behind its master (bytes of replication offset) a replica may be and still serve reads (default 1048576).",
            HelpName = "bytes",
        };
        var readYourWrites = new Option<int?>("--read-your-writes")
        {
            Description = "For this many ms after a connection writes to a group, its reads of that group go to the master (default 1000; 0 turns it off).",
            HelpName = "ms",
        };
        var readFallback = new Option<string?>("--read-fallback")
        {
            Description = "Where nearest reads go when the proxy's zone has no fresh replica: replicas-then-master (the default), master, or replicas (another zone's replica, else -TRYAGAIN).",
            HelpName = "where",
        };
        readFallback.AcceptOnlyFromAmong("replicas-then-master", "master", "replicas");
        var requireTls = new Option<bool?>("--require-tls")
        {
            Description = "true: clients must connect over TLS (a proxy started with --tls-cert); AUTH on a plain connection is refused and plain connections already open are closed. false: plain TCP is accepted again.",
            HelpName = "true|false",
        };
        var clientCert = new Option<string[]>("--client-cert-subject")
        {
            Description = "A client certificate identity that binds a TLS connection to this namespace without AUTH (the proxy must verify client certificates: --tls-client-ca): a subject \"CN=shop-app\" (or \"CN=shop-app,O=Example\", as `openssl x509 -noout -subject -nameopt RFC2253` prints), a SAN \"dns:shop.example.com\" or a fingerprint \"sha256:...\". Repeat for several; replaces the list.",
            HelpName = "identity",
            AllowMultipleArgumentsPerToken = false,
        };
        var noClientCert = new Option<bool>("--no-client-cert") { Description = "Remove every client certificate identity: clients AUTH again." };
        var json = AdminOptions.Json();
        var backend = new NamespaceBackendOptions();
        var backendTls = new NamespaceBackendTlsOptions();
        var command = new Command("set", "Change a namespace's settings; running proxies apply them at once.") { name, allowFlush, open, readOnly, allowIp, anyIp, maxOps, maxBytes, maxBytesOut, maxConnections, maxRequest, readMode, maxLag, readYourWrites, readFallback, requireTls, clientCert, noClientCert, json }
            .WithEpilog("""
                Examples:
                  tessera namespace set default --allow-flush true
                  tessera namespace set shop --readonly true
                  tessera namespace set shop --open false
                  tessera namespace set shop --allow-ip 10.0.0.0/8 --allow-ip 2001:db8::/32
                  tessera namespace set shop --allow-any-ip
                  tessera namespace set shop --max-ops 20000 --max-connections 500
                  tessera namespace set shop --max-ops 0            (0 removes a limit)
                  tessera namespace set shop --read-mode prefer-replica --max-lag 65536
                  tessera namespace set shop --read-mode nearest --read-fallback master
                  tessera namespace set shop --backend-password "$REDIS_PASSWORD"
                  tessera namespace set shop --no-backend-password
                  tessera namespace set shop --backend-tls-ca ca.crt --backend-tls-cert tessera.crt --backend-tls-key tessera.key
                  tessera namespace set shop --no-backend-tls
                  tessera namespace set shop --require-tls true
                  tessera namespace set shop --client-cert-subject "CN=shop-app"
                """);
        foreach (var option in backend.All.Concat(backendTls.All))
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancel) =>
        {
            var ips = parse.GetValue(allowIp) is { Length: > 0 } given ? given : null;
            if (ips is not null && parse.GetValue(anyIp))
            {
                parse.InvocationConfiguration.Error.WriteLine("error: --allow-ip and --allow-any-ip contradict each other: give one");
                return Task.FromResult(ExitCodes.Usage);
            }

            var certs = parse.GetValue(clientCert) is { Length: > 0 } identities ? identities : null;
            if (certs is not null && parse.GetValue(noClientCert))
            {
                parse.InvocationConfiguration.Error.WriteLine("error: --client-cert-subject and --no-client-cert contradict each other: give one");
                return Task.FromResult(ExitCodes.Usage);
            }

            var quota = new Model.Topology.NamespaceQuota
            {
                OpsPerSecond = parse.GetValue(maxOps),
                BytesInPerSecond = parse.GetValue(maxBytes),
                BytesOutPerSecond = parse.GetValue(maxBytesOut),
                MaxConnections = parse.GetValue(maxConnections),
                MaxRequestBytes = parse.GetValue(maxRequest),
            };
            bool quotaGiven = quota.OpsPerSecond is not null || quota.BytesInPerSecond is not null || quota.BytesOutPerSecond is not null || quota.MaxConnections is not null || quota.MaxRequestBytes is not null;
            var reads = new Model.Api.ReadSettingsChange(
                Model.Topology.ReadSettings.TryParse(parse.GetValue(readMode), out Model.Topology.ReadMode mode) ? mode : null,
                parse.GetValue(maxLag),
                parse.GetValue(readYourWrites),
                Model.Topology.ReadSettings.TryParse(parse.GetValue(readFallback), out Model.Topology.ReadFallback fallback) ? fallback : null);
            var request = new Model.Api.UpdateNamespaceRequest(parse.GetValue(allowFlush), parse.GetValue(open), parse.GetValue(readOnly), parse.GetValue(anyIp) ? [] : ips, quotaGiven ? quota : null, reads.IsEmpty ? null : reads, parse.GetValue(requireTls), parse.GetValue(noClientCert) ? [] : certs);
            var (setBackend, removeBackend, backendError) = backend.Read(parse);
            var (setTls, removeTls, tlsError) = backendTls.Read(parse);
            backendError ??= tlsError;
            if (backendError is not null || (request.IsEmpty && setBackend is null && !removeBackend && setTls is null && !removeTls))
            {
                parse.InvocationConfiguration.Error.WriteLine("error: " + (backendError ?? "nothing to change: give a setting, e.g. --readonly true, --allow-flush true or --backend-password … (see `tessera namespace set --help`)"));
                return Task.FromResult(ExitCodes.Usage);
            }

            return AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            {
                if (!request.IsEmpty)
                {
                    AdminRun.WriteChange(output, await client.UpdateNamespaceAsync(parse.GetValue(name)!, request, ct).ConfigureAwait(false), parse.GetValue(json));
                }

                if (setBackend is not null || removeBackend)
                {
                    await NamespaceBackendOptions.RunAsync(client, output, parse.GetValue(name)!, setBackend, parse.GetValue(json), ct).ConfigureAwait(false);
                }

                // After the credentials: TLS is checked with them (AUTH over TLS), so both can be set in one command.
                if (setTls is not null || removeTls)
                {
                    await NamespaceBackendTlsOptions.RunAsync(client, output, parse.GetValue(name)!, setTls, parse.GetValue(json), ct).ConfigureAwait(false);
                }
            }, cancel);
        });
        return command;
    }

    private static Command RemoveVerb(Option<Uri> controller)
    {
        var name = NameArgument();
        var force = new Option<bool>("--force")
        {
            Description = "Remove it even though slots are assigned: its clients lose their routes at once. Servers and data stay untouched.",
        };
        var json = AdminOptions.Json();
        var command = new Command("remove", "Remove a namespace (refused while slots are assigned, unless --force).") { name, force, json }
            .WithEpilog("""
                Proxies drop the namespace at once. Its groups go with it; the redis-servers keep running with their data.

                Example:
                  tessera namespace remove staging --force
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.RemoveNamespaceAsync(parse.GetValue(name)!, parse.GetValue(force), ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }

    private static Option<long?> QuotaOption(string name, string description)
    {
        var option = new Option<long?>(name) { Description = description + " 0 removes the limit.", HelpName = "n" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 0)
            {
                result.AddError($"{name} must be 0 (no limit) or a positive number");
            }
        });
        return option;
    }

    internal static Argument<string> NameArgument() => new("namespace")
    {
        Description = "Namespace name, e.g. default.",
    };
}
