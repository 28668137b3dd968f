using System.Net;
using Tessera.Controller.Migration;
using Tessera.Controller.Tests.Failover;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Api;
using Tessera.Resp.Client;
using Tessera.Model.Topology;
using Tessera.Resp.Keys;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// Backend TLS end to end on real processes: TLS-only redis-servers with mutual TLS; the controller's probes, REPLICAOF
/// (tls-replication), migration (MIGRATE over tls-cluster) and failover reach them with the namespace's CA and client
/// certificate, and so do the proxy's links; settings the masters refuse are refused with what to change; the key is
/// never shown or logged; a new client certificate reaches running proxies.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class BackendTlsTests
{
    private const string Ns = BackendTlsCluster.Ns;
    private readonly ITestOutputHelper _log;

    public BackendTlsTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task Tls_only_servers_replicate_serve_clients_migrate_under_load_and_fail_over()
    {
        await using var cluster = await BackendTlsCluster.StartAsync(servers: 4, _log, password: "pw-" + Guid.NewGuid().ToString("N"));
        var api = cluster.Api;
        var redis = cluster.Redis;
        var url = cluster.Controller.Url.ToString();

        // Without TLS a TLS-only server does not answer the controller.
        await api.CreateGroupAsync(Ns, 1);
        await ApiAssert.RefusedAsync(() => api.AddServerAsync(Ns, 1, redis[0].Endpoint), HttpStatusCode.Conflict, redis[0].Endpoint);

        // The CLI reads the files and sends their contents; the answer shows subjects, never the key.
        var set = await AdminCli.OkAsync(
            "namespace", "set", Ns, "--backend-password", cluster.Password!,
            "--backend-tls-ca", cluster.Certificates.CaFile, "--backend-tls-cert", cluster.ClientFiles.CertificateFile, "--backend-tls-key", cluster.ClientFiles.KeyFile,
            "--json", "--controller", url);
        Assert.Contains("CN=tessera", set.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(BackendTlsCluster.KeySecretLine(cluster.Client), set.Output, StringComparison.Ordinal);

        await api.AddServerAsync(Ns, 1, redis[0].Endpoint);
        await api.AddServerAsync(Ns, 1, redis[1].Endpoint);
        await BackendTlsCluster.WaitSyncedAsync(redis[1]);
        await api.AssignSlotsAsync(Ns, 0, 1023, 1);

        // Setting it again checks every master (TLS, AUTH, tls-replication, tls-cluster) and passes.
        var again = await api.SetBackendTlsAsync(Ns, cluster.TlsRequest());
        Assert.Equal("***", again.ClientKey);
        Assert.Empty(again.Warnings ?? []);

        await cluster.StartProxyAsync();
        var client = await cluster.ProxyClientAsync();
        const int Keys = 200;
        for (int i = 0; i < Keys; i++)
        {
            Reply.Ok(await client.CallAsync("SET", $"k{i}", $"v{i}"));
        }

        Reply.Text("v7", await client.CallAsync("GET", "k7"));
        await Eventually.TrueAsync(async () => await DbSizeAsync(redis[1]) == Keys, TimeSpan.FromSeconds(10), "the replica (TLS sync) holding every key");

        // A migration between two TLS groups while a client reads and writes: the proxy's MIGRATE on touch and the
        // mover's MIGRATE both run server to server over TLS (tls-cluster).
        await cluster.AddGroupAsync(2, 2, 3);
        var errors = new List<string>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            await using var loader = await RespClient.ConnectAsync("127.0.0.1", cluster.Proxy.Endpoint.Port, TimeSpan.FromSeconds(10));
            for (int n = 0; !stop.IsCancellationRequested; n++)
            {
                var i = n % Keys;
                var written = await loader.CallAsync("SET", $"k{i}", $"v{i}");
                var read = await loader.CallAsync("GET", $"k{(i * 7) % Keys}");
                if (written.IsError || read.AsString() != $"v{(i * 7) % Keys}")
                {
                    errors.Add($"{written} / {read}");
                }
            }
        });
        // The mover starts slowly and is paused once the slots migrate: the keys a client then touches are moved by the
        // proxy (MIGRATE on touch, redis-server to redis-server over TLS).
        var migration = await api.StartMigrationAsync(Ns, 0, 511, 2, new MigrationSettings { KeysPerSecond = 1 });
        await Eventually.TrueAsync(async () => (await api.GetSlotsAsync(Ns)).Ranges.Any(static r => r.State == SlotState.Migrating), TimeSpan.FromSeconds(20), "slots 0-511 migrating");
        await api.ControlMigrationAsync(Ns, migration.Id, new MigrationControlRequest { Action = "pause" });
        var touched = new List<string>();
        await using (var source = await redis[0].ConnectAsync(TimeSpan.FromSeconds(5)))
        {
            touched.AddRange(Reply.Strings(await source.CallAsync("KEYS", "k*")).Where(static k => KeySlot.Of(System.Text.Encoding.UTF8.GetBytes(k)) <= 511).Take(20));
        }

        Assert.NotEmpty(touched);
        await using (var touching = await RespClient.ConnectAsync("127.0.0.1", cluster.Proxy.Endpoint.Port, TimeSpan.FromSeconds(10)))
        {
            foreach (var key in touched)
            {
                Reply.Text("v" + key[1..], await touching.CallAsync("GET", key));
            }
        }

        await using (var target = await redis[2].ConnectAsync(TimeSpan.FromSeconds(5)))
        {
            foreach (var key in touched)
            {
                Reply.Integer(1, await target.CallAsync("EXISTS", key));
            }
        }

        await api.ControlMigrationAsync(Ns, migration.Id, new MigrationControlRequest { Action = "throttle", KeysPerSecond = 0 });
        await api.ControlMigrationAsync(Ns, migration.Id, new MigrationControlRequest { Action = "resume" });
        await Eventually.TrueAsync(async () => (await api.GetMigrationAsync(Ns, migration.Id)).State == MigrationState.Done, TimeSpan.FromSeconds(60), "the migration done");
        await stop.CancelAsync();
        await load.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(errors.Count == 0, "errors through the proxy during the migration:\n" + string.Join('\n', errors.Take(10)));
        var moved = Enumerable.Range(0, Keys).Count(i => KeySlot.Of(System.Text.Encoding.UTF8.GetBytes($"k{i}")) <= 511);
        Assert.Equal(moved, await DbSizeAsync(redis[2]));
        Assert.Equal(Keys - moved, await DbSizeAsync(redis[0]));
        for (int i = 0; i < Keys; i++)
        {
            Reply.Text($"v{i}", await client.CallAsync("GET", $"k{i}"));
        }

        // Failover: group 1's master is killed by PID; its replica is promoted over TLS and clients go on.
        redis[0].Kill();
        await Eventually.TrueAsync(async () => (await api.GetNamespaceAsync(Ns)).Groups.Single(g => g.Id == 1).Master == redis[1].Endpoint, TimeSpan.FromSeconds(30), "group 1's replica promoted");
        await Eventually.TrueAsync(async () => (await client.CallAsync("SET", "after-failover", "yes")).AsString() == "OK", TimeSpan.FromSeconds(20), "a write through the proxy after the failover");
        for (int i = 0; i < Keys; i++)
        {
            Reply.Text($"v{i}", await client.CallAsync("GET", $"k{i}"));
        }

        // The old master comes back on its TLS port: it rejoins as a replica of the new one (REPLICAOF over TLS).
        var back = await cluster.StartServerAsync("redis-0-back", redis[0].Port);
        cluster.Own(back);
        await Eventually.TrueAsync(async () => (await api.GetNamespaceAsync(Ns)).Groups.Single(g => g.Id == 1).Replicas.Contains(back.Endpoint), TimeSpan.FromSeconds(30), "the old master listed as a replica again");
        await BackendTlsCluster.WaitSyncedAsync(back);
        await Eventually.TrueAsync(async () => await DbSizeAsync(redis[1]) == await DbSizeAsync(back), TimeSpan.FromSeconds(10), "the old master holding its new master's keys");

        // The key shows nowhere: not in GET's body, not in the namespace list, not in a log line.
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.AdminToken(cluster.Directory.StoreUrl));
            var raw = await http.GetStringAsync(new Uri(cluster.Controller.Url, ControllerRoutes.BackendTlsSecretPath(Ns)));
            Assert.DoesNotContain(BackendTlsCluster.KeySecretLine(cluster.Client), raw, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", raw, StringComparison.Ordinal);
            Assert.Contains("***", raw, StringComparison.Ordinal);
        }

        var list = await AdminCli.OkAsync("namespace", "list", "--json", "--controller", url);
        Assert.DoesNotContain(BackendTlsCluster.KeySecretLine(cluster.Client), list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", list.Output, StringComparison.Ordinal);
        cluster.AssertSecretsNotLogged();
    }

    [Fact]
    public async Task Settings_the_masters_refuse_are_refused_with_what_to_change_and_nothing_changes()
    {
        await using var cluster = await BackendTlsCluster.StartAsync(servers: 0, _log);
        var api = cluster.Api;

        // Bad PEM: 400 saying which part.
        await ApiAssert.RefusedAsync(() => api.SetBackendTlsAsync(Ns, new SetBackendTlsRequest(null)), HttpStatusCode.BadRequest, "a CA certificate is required");
        await ApiAssert.RefusedAsync(() => api.SetBackendTlsAsync(Ns, new SetBackendTlsRequest("not a certificate")), HttpStatusCode.BadRequest, "CA certificate", "PEM");
        var request = cluster.TlsRequest();
        await ApiAssert.RefusedAsync(() => api.SetBackendTlsAsync(Ns, request with { ClientKey = null }), HttpStatusCode.BadRequest, "needs its private key");
        var other = cluster.Certificates.Client("CN=other");
        await ApiAssert.RefusedAsync(() => api.SetBackendTlsAsync(Ns, request with { ClientKey = BackendTlsCluster.KeyPem(other) }), HttpStatusCode.BadRequest, "client certificate and key do not load together");
        await ApiAssert.RefusedAsync(() => api.GetBackendTlsAsync(Ns), HttpStatusCode.NotFound, "no backend TLS");

        // A master without tls-cluster: refused naming the setting.
        var server = await cluster.StartServerAsync("redis-no-cluster", cluster: false);
        cluster.Own(server);
        await api.SetBackendTlsAsync(Ns, request);
        await cluster.AddGroupAsync(1, 0);
        await ApiAssert.RefusedAsync(() => api.SetBackendTlsAsync(Ns, request), HttpStatusCode.Conflict, server.Endpoint, "tls-cluster", "CONFIG SET tls-cluster yes", "nothing was changed");

        await using (var admin = await server.ConnectAsync(TimeSpan.FromSeconds(5)))
        {
            Reply.Ok(await admin.CallAsync("CONFIG", "SET", "tls-cluster", "yes"));
        }

        // Another CA than the servers': refused naming the server and the certificate problem; nothing changed.
        using var otherCa = new TestCertificates(cluster.Directory.Sub("other-ca"), "Other CA");
        var foreign = otherCa.Client("CN=tessera-foreign");
        await ApiAssert.RefusedAsync(
            () => api.SetBackendTlsAsync(Ns, request with { CaCertificate = otherCa.Ca.ExportCertificatePem() }),
            HttpStatusCode.Conflict, server.Endpoint, "does not chain to the namespace's backend CA", "nothing was changed");

        // A client certificate the servers do not trust: refused too.
        await ApiAssert.RefusedAsync(
            () => api.SetBackendTlsAsync(Ns, cluster.TlsRequest(foreign)),
            HttpStatusCode.Conflict, server.Endpoint, "TLS", "nothing was changed");
        var shown = await api.GetBackendTlsAsync(Ns);
        Assert.Equal("CN=tessera", shown.ClientCertificate);
        Assert.Equal("***", shown.ClientKey);

        // Now the settings pass.
        await api.SetBackendTlsAsync(Ns, request);
        cluster.AssertSecretsNotLogged(foreign);
    }

    [Fact]
    public async Task Running_proxies_take_a_new_client_certificate_and_say_what_is_wrong_when_refused()
    {
        // The server trusts two CAs at first: the test's (certificate A) and a second one (certificate B).
        await using var cluster = await BackendTlsCluster.StartAsync(servers: 0, _log);
        using var second = new TestCertificates(cluster.Directory.Sub("second-ca"), "Second CA");
        var bundle = cluster.Directory.Sub("bundle.crt");
        await File.WriteAllTextAsync(bundle, cluster.Certificates.Ca.ExportCertificatePem() + "\n" + second.Ca.ExportCertificatePem() + "\n");
        var server = await cluster.StartServerAsync("redis-0", caFile: bundle);
        cluster.Own(server);
        var api = cluster.Api;
        await api.SetBackendTlsAsync(Ns, cluster.TlsRequest());
        await cluster.AddGroupAsync(1, 0);
        await api.AssignSlotsAsync(Ns, 0, 1023, 1);
        await cluster.StartProxyAsync();
        var client = await cluster.ProxyClientAsync();
        Reply.Ok(await client.CallAsync("SET", "a", "1"));

        // Rotation to a new certificate of the same CA while a client reads: no error, and the old links close.
        var before = await ProxyConnectionsAsync(server);
        var rotated = cluster.Certificates.Client("CN=tessera");
        await api.SetBackendTlsAsync(Ns, cluster.TlsRequest(rotated));
        for (int i = 0; i < 100; i++)
        {
            Reply.Text("1", await client.CallAsync("GET", "a"));
        }

        await Eventually.TrueAsync(async () => !(await ProxyConnectionsAsync(server)).Overlaps(before), TimeSpan.FromSeconds(10), "the proxy's links from before the rotation closed");
        Reply.Text("1", await client.CallAsync("GET", "a"));

        // Dedicated links (a transaction, a blocking pop, a subscription) are TLS links too.
        Reply.Ok(await client.CallAsync("MULTI"));
        Assert.Equal("QUEUED", (await client.CallAsync("INCR", "n")).AsString());
        Assert.Equal(1, (await client.CallAsync("EXEC")).Items!.Single().Integer);
        Reply.Null(await client.CallAsync("BLPOP", "empty-list", "0.1"));
        await using (var subscriber = await RespClient.ConnectAsync("127.0.0.1", cluster.Proxy.Endpoint.Port, TimeSpan.FromSeconds(10)))
        {
            Assert.Equal("subscribe", Reply.Strings(await subscriber.CallAsync("SUBSCRIBE", "news"))[0]);
            Reply.Integer(1, await client.CallAsync("PUBLISH", "news", "hello"));
            Assert.Equal("hello", Reply.Strings(await subscriber.ReadAsync())[2]);
        }

        // The server stops trusting the test's CA: the proxy's next link fails at once, saying what to fix.
        var secondOnly = cluster.Directory.Sub("second.crt");
        await File.WriteAllTextAsync(secondOnly, second.Ca.ExportCertificatePem() + "\n");
        await using (var admin = await server.ConnectAsync(TimeSpan.FromSeconds(5)))
        {
            Reply.Ok(await admin.CallAsync("CONFIG", "SET", "tls-ca-cert-file", secondOnly));
            await admin.CallAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        }

        string? error = null;
        await Eventually.TrueAsync(
            async () =>
            {
                var reply = await client.CallAsync("GET", "a");
                error = reply.IsError ? reply.AsString() : null;
                return error?.Contains("TLS to it failed", StringComparison.Ordinal) == true;
            },
            TimeSpan.FromSeconds(10),
            "the proxy saying TLS to the server failed");
        Assert.Contains($"Namespace '{Ns}'", error!, StringComparison.Ordinal);
        Assert.Contains($"tessera namespace set {Ns} --backend-tls-ca", error!, StringComparison.Ordinal);

        // The operator gives the namespace a certificate of the second CA: the running proxy follows.
        var fromSecond = second.Client("CN=tessera-2");
        var files = second.Write("tessera-2", fromSecond);
        await AdminCli.OkAsync(
            "namespace", "set", Ns, "--backend-tls-ca", cluster.Certificates.CaFile, "--backend-tls-cert", files.CertificateFile, "--backend-tls-key", files.KeyFile,
            "--controller", cluster.Controller.Url.ToString());
        await Eventually.TrueAsync(async () => (await client.CallAsync("GET", "a")).AsString() == "1", TimeSpan.FromSeconds(10), "reads through the proxy with the second CA's certificate");
        Assert.Equal("CN=tessera-2", (await api.GetBackendTlsAsync(Ns)).ClientCertificate);
        cluster.AssertSecretsNotLogged(rotated, fromSecond);
    }

    /// <summary>Ids of the server's client connections other than the asking one (the proxy's links, the controller's probes).</summary>
    private static async Task<HashSet<long>> ProxyConnectionsAsync(Local.Servers.RedisServerProcess server)
    {
        await using var admin = await server.ConnectAsync(TimeSpan.FromSeconds(5));
        var own = (await admin.CallAsync("CLIENT", "ID")).Integer;
        var list = (await admin.CallAsync("CLIENT", "LIST", "TYPE", "normal")).AsString()!;
        return [.. list.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(static line => long.Parse(line.Split(' ')[0]["id=".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .Where(id => id != own)];
    }

    private static async Task<long> DbSizeAsync(Local.Servers.RedisServerProcess server)
    {
        await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(5));
        return (await client.CallAsync("DBSIZE")).Integer;
    }
}
