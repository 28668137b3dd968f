using System.Net;
using Tessera.Controller.Migration;
using Tessera.Controller.Tests.Failover;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Api;
using Tessera.Resp.Client;
using Tessera.Resp.Keys;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// Backends that require a password, end to end on real processes: the controller's probes, REPLICAOF (with
/// masterauth), migration (MIGRATE … AUTH/AUTH2) and failover log in with the namespace's backend credentials, and so
/// do the proxy's connections; wrong credentials are refused with what to do; the password is never shown or logged.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class BackendCredentialsTests
{
    private const string Ns = BackendAuthCluster.Ns;
    private readonly ITestOutputHelper _log;

    public BackendCredentialsTests(ITestOutputHelper log)
    {
        _log = log;
    }

    [Fact]
    public async Task Requirepass_servers_replicate_serve_clients_migrate_and_fail_over()
    {
        await using var cluster = await BackendAuthCluster.StartAsync(servers: 4, _log);
        var api = cluster.Api;
        var redis = cluster.Redis;

        // Without credentials, a server that needs a password is refused with what to do.
        await api.CreateGroupAsync(Ns, 1);
        await ApiAssert.RefusedAsync(() => api.AddServerAsync(Ns, 1, redis[0].Endpoint), HttpStatusCode.Conflict, redis[0].Endpoint, "needs a password", $"tessera namespace set {Ns} --backend-password");
        await ApiAssert.RefusedAsync(() => api.GetBackendCredentialsAsync(Ns), HttpStatusCode.NotFound, "no backend credentials");
        await ApiAssert.RefusedAsync(() => api.SetBackendCredentialsAsync(Ns, new SetBackendCredentialsRequest(null)), HttpStatusCode.BadRequest, "a password is required");
        await ApiAssert.RefusedAsync(() => api.SetBackendCredentialsAsync(Ns, new SetBackendCredentialsRequest("pw", "bad user")), HttpStatusCode.BadRequest, "not an ACL user name");

        await api.SetBackendCredentialsAsync(Ns, cluster.Credentials);
        await api.AddServerAsync(Ns, 1, redis[0].Endpoint);
        await api.AddServerAsync(Ns, 1, redis[1].Endpoint);
        await BackendAuthCluster.WaitSyncedAsync(redis[1]);
        await api.AssignSlotsAsync(Ns, 0, 1023, 1);

        // Credentials the masters refuse are not stored.
        await ApiAssert.RefusedAsync(() => api.SetBackendCredentialsAsync(Ns, new SetBackendCredentialsRequest("not-the-password")), HttpStatusCode.Conflict, redis[0].Endpoint, "WRONGPASS", "nothing was changed");
        var shown = await api.GetBackendCredentialsAsync(Ns);
        Assert.Equal("***", shown.Password);
        Assert.Null(shown.User);
        using (var http = new HttpClient())
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.AdminToken(cluster.Directory.StoreUrl));
            var raw = await http.GetStringAsync(new Uri(cluster.Controller.Url, ControllerRoutes.BackendSecretPath(Ns)));
            Assert.DoesNotContain(cluster.Password, raw, StringComparison.Ordinal);
            Assert.Contains("***", raw, StringComparison.Ordinal);
        }

        // Clients read and write through a store-backed proxy.
        await cluster.StartProxyAsync();
        var client = await cluster.ProxyClientAsync();
        const int Keys = 200;
        for (int i = 0; i < Keys; i++)
        {
            Reply.Ok(await client.CallAsync("SET", $"k{i}", $"v{i}"));
        }

        Reply.Text("v7", await client.CallAsync("GET", "k7"));
        await Eventually.TrueAsync(async () => await DbSizeAsync(redis[1]) == Keys, TimeSpan.FromSeconds(10), "the replica holding every key");

        // A migration between two requirepass groups moves every key (the mover's MIGRATE … AUTH).
        await cluster.AddGroupAsync(2, 2, 3);
        var migration = await api.StartMigrationAsync(Ns, 0, 511, 2);
        await Eventually.TrueAsync(async () => (await api.GetMigrationAsync(Ns, migration.Id)).State == MigrationState.Done, TimeSpan.FromSeconds(60), "the migration done");
        var moved = Enumerable.Range(0, Keys).Count(i => KeySlot.Of(System.Text.Encoding.UTF8.GetBytes($"k{i}")) <= 511);
        Assert.Equal(moved, await DbSizeAsync(redis[2]));
        Assert.Equal(Keys - moved, await DbSizeAsync(redis[0]));
        for (int i = 0; i < Keys; i++)
        {
            Reply.Text($"v{i}", await client.CallAsync("GET", $"k{i}"));
        }

        // Failover: the master of group 1 is killed; its replica is promoted (REPLICAOF NO ONE logged in) and clients go on.
        redis[0].Kill();
        await Eventually.TrueAsync(async () => (await api.GetNamespaceAsync(Ns)).Groups.Single(g => g.Id == 1).Master == redis[1].Endpoint, TimeSpan.FromSeconds(30), "group 1's replica promoted");
        await Eventually.TrueAsync(async () => (await client.CallAsync("SET", "after-failover", "yes")).AsString() == "OK", TimeSpan.FromSeconds(20), "a write through the proxy after the failover");
        for (int i = 0; i < Keys; i++)
        {
            Reply.Text($"v{i}", await client.CallAsync("GET", $"k{i}"));
        }

        // The old master comes back (same address, same password): it rejoins as a replica of the new one (masterauth).
        await using var back = await Local.Servers.RedisServerProcess.StartAsync(new Local.Servers.RedisServerOptions
        {
            Directory = cluster.Directory.Sub("redis-0-back"),
            Port = redis[0].Port,
            Password = cluster.Password,
        });
        await Eventually.TrueAsync(async () => (await api.GetNamespaceAsync(Ns)).Groups.Single(g => g.Id == 1).Replicas.Contains(back.Endpoint), TimeSpan.FromSeconds(30), "the old master listed as a replica again");
        await BackendAuthCluster.WaitSyncedAsync(back);
        Assert.Equal(await DbSizeAsync(redis[1]), await DbSizeAsync(back));

        cluster.AssertPasswordNotLogged();
    }

    [Fact]
    public async Task An_ACL_user_logs_in_replicates_and_migrates_with_AUTH2()
    {
        await using var cluster = await BackendAuthCluster.StartAsync(servers: 3, _log, user: "tessera");
        var api = cluster.Api;
        await api.SetBackendCredentialsAsync(Ns, cluster.Credentials);
        Assert.Equal("tessera", (await api.GetBackendCredentialsAsync(Ns)).User);
        await cluster.AddGroupAsync(1, 0, 1);
        await cluster.AddGroupAsync(2, 2);
        await api.AssignSlotsAsync(Ns, 0, 1023, 1);

        // Requirepass alone is not what these servers want: the user is part of the credentials.
        await ApiAssert.RefusedAsync(() => api.SetBackendCredentialsAsync(Ns, new SetBackendCredentialsRequest(cluster.Password)), HttpStatusCode.Conflict, "nothing was changed");

        await cluster.StartProxyAsync();
        var client = await cluster.ProxyClientAsync();
        for (int i = 0; i < 50; i++)
        {
            Reply.Ok(await client.CallAsync("SET", $"u{i}", $"{i}"));
        }

        await Eventually.TrueAsync(async () => await DbSizeAsync(cluster.Redis[1]) == 50, TimeSpan.FromSeconds(10), "the replica (masteruser) holding every key");
        var migration = await api.StartMigrationAsync(Ns, 0, 1023, 2);
        await Eventually.TrueAsync(async () => (await api.GetMigrationAsync(Ns, migration.Id)).State == MigrationState.Done, TimeSpan.FromSeconds(60), "the migration done");
        Assert.Equal(50, await DbSizeAsync(cluster.Redis[2]));
        Reply.Text("42", await client.CallAsync("GET", "u42"));
        cluster.AssertPasswordNotLogged();
    }

    [Fact]
    public async Task A_changed_server_password_gives_clients_a_clear_error_until_the_namespace_has_it()
    {
        await using var cluster = await BackendAuthCluster.StartAsync(servers: 1, _log);
        var url = cluster.Controller.Url.ToString();
        var set = await AdminCli.OkAsync("namespace", "set", Ns, "--backend-password", cluster.Password, "--json", "--controller", url);
        Assert.DoesNotContain(cluster.Password, set.Output, StringComparison.Ordinal);
        Assert.Contains("***", set.Output, StringComparison.Ordinal);
        await cluster.AddGroupAsync(1, 0);
        await cluster.Api.AssignSlotsAsync(Ns, 0, 1023, 1);
        await cluster.StartProxyAsync();
        var client = await cluster.ProxyClientAsync();
        Reply.Ok(await client.CallAsync("SET", "a", "1"));

        // The operator changes the server's password and its connections drop: the proxy's next link is refused.
        var changed = cluster.Password + "-new";
        await using (var admin = await cluster.Redis[0].ConnectAsync(TimeSpan.FromSeconds(5)))
        {
            Reply.Ok(await admin.CallAsync("CONFIG", "SET", "requirepass", changed));
            await admin.CallAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
        }

        string? error = null;
        await Eventually.TrueAsync(
            async () =>
            {
                var reply = await client.CallAsync("GET", "a");
                error = reply.IsError ? reply.AsString() : null;
                return error?.Contains("backend password is wrong", StringComparison.Ordinal) == true;
            },
            TimeSpan.FromSeconds(10),
            "the proxy saying the backend password is wrong");
        Assert.Contains($"namespace '{Ns}'", error!, StringComparison.Ordinal);
        Assert.Contains($"tessera namespace set {Ns} --backend-password", error!, StringComparison.Ordinal);

        // The CLI refuses the old password (the master checks it), takes the new one, and the proxy follows.
        var refused = await AdminCli.RunAsync("namespace", "set", Ns, "--backend-password", cluster.Password, "--controller", url);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("WRONGPASS", refused.Error, StringComparison.Ordinal);
        await AdminCli.OkAsync("namespace", "set", Ns, "--backend-password", changed, "--controller", url);
        await Eventually.TrueAsync(async () => (await client.CallAsync("GET", "a")).AsString() == "1", TimeSpan.FromSeconds(10), "reads through the proxy with the new password");

        // Another change while the proxy's links are up: they log in again in place (AUTH on the same connection).
        var third = changed + "-3";
        await using (var admin = await RespClient.ConnectAsync(cluster.Redis[0].Endpoint, TimeSpan.FromSeconds(5)))
        {
            Reply.Ok(await admin.CallAsync("AUTH", changed));
            var own = (await admin.CallAsync("CLIENT", "ID")).Integer;
            var before = ClientList((await admin.CallAsync("CLIENT", "LIST")).AsString()!).Where(c => c.Id != own).Select(static c => c.Id).ToHashSet();
            Reply.Ok(await admin.CallAsync("CONFIG", "SET", "requirepass", third));
            await cluster.Api.SetBackendCredentialsAsync(Ns, new SetBackendCredentialsRequest(third));
            await Eventually.TrueAsync(
                async () => ClientList((await admin.CallAsync("CLIENT", "LIST")).AsString()!).Any(c => before.Contains(c.Id) && c.Command == "auth"),
                TimeSpan.FromSeconds(10),
                "a connection of the proxy that logged in again in place");
        }

        Reply.Text("1", await client.CallAsync("GET", "a"));
        changed = third;

        // Neither the list nor the credentials' answers show it.
        var list = await AdminCli.OkAsync("namespace", "list", "--json", "--controller", url);
        Assert.DoesNotContain(changed, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Password, list.Output, StringComparison.Ordinal);
        Assert.Equal("***", (await cluster.Api.GetBackendCredentialsAsync(Ns)).Password);
        Assert.Empty(LeakedLines(cluster, changed));
        cluster.AssertPasswordNotLogged();
    }

    /// <summary>CLIENT LIST's lines as (id, last command).</summary>
    private static List<(long Id, string Command)> ClientList(string list) =>
        [.. list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static line =>
        {
            var fields = line.Trim().Split(' ').Select(static f => f.Split('=', 2)).Where(static kv => kv.Length == 2).ToDictionary(static kv => kv[0], static kv => kv[1]);
            return (long.Parse(fields["id"], System.Globalization.CultureInfo.InvariantCulture), fields["cmd"]);
        })];

    private static string LeakedLines(BackendAuthCluster cluster, string password) =>
        string.Join('\n', cluster.LogLines.Where(l => l.Contains(password, StringComparison.Ordinal)));

    private static async Task<long> DbSizeAsync(Local.Servers.RedisServerProcess server)
    {
        await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(5));
        return (await client.CallAsync("DBSIZE")).Integer;
    }
}
