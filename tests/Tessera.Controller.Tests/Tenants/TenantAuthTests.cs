using System.Diagnostics;
using System.Net;
using Tessera.Model.Api;
using Tessera.Model.Tenants;
using Tessera.Controller.Tests.Support;
using Tessera.Testing;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>AUTH forms, wrong and rotated passwords, read-only users, denied categories, the read-only switch.</summary>
public sealed class TenantAuthTests
{
    [Fact]
    public async Task Before_AUTH_only_connection_commands_answer()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var client = await cluster.ConnectAsync();
        Reply.Error("NOAUTH Authentication required.", await client.CallAsync("GET", "k"));
        Reply.Error("NOAUTH Authentication required.", await client.CallAsync("KEYS", "*"));
        var pong = await client.CallAsync("PING");
        Reply.Text("PONG", pong);
        ByDesign(["PING"], "+PONG\r\n");
        Reply.Error("NOAUTH HELLO must be called with the client already authenticated", await client.CallAsync("HELLO", "3"));

        // Inside MULTI the refusal discards the transaction, as Redis's rejectCommand does.
        Reply.Error("NOAUTH", await client.CallAsync("MULTI"));
        Reply.Text("RESET", await client.CallAsync("RESET"));
        Reply.Ok(await client.CallAsync("QUIT"));
    }

    [Fact]
    public async Task Every_AUTH_form_binds_the_right_namespace_and_wrong_passwords_are_refused()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var password = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var other = await cluster.AddUserAsync(TenantCluster.Alpha, "reports");
        var betaPassword = await cluster.AddUserAsync(TenantCluster.Beta, "app");

        var byName = await cluster.LoginAsync(TenantCluster.Alpha, password);
        Reply.Ok(await byName.CallAsync("SET", "who", "alpha"));
        var byUser = await cluster.LoginAsync("alpha.reports", other);
        Reply.Text("alpha", await byUser.CallAsync("GET", "who"));
        var byPassword = await cluster.LoginAsync(betaPassword);
        Assert.True((await byPassword.CallAsync("GET", "who")).IsNull, "AUTH <password> of a beta user binds beta");
        var hello = await cluster.ConnectAsync();
        var map = await hello.CallAsync("HELLO", "3", "AUTH", TenantCluster.Alpha, password);
        Assert.True(map.IsAggregate, $"HELLO 3 AUTH answers the server map, got {map}");
        Reply.Text("alpha", await hello.CallAsync("GET", "who"));
        Assert.Contains("ns=alpha", (await hello.CallAsync("CLIENT", "INFO")).AsString());

        var wrong = await cluster.ConnectAsync();
        const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
        Reply.Error(WrongPass, await wrong.CallAsync("AUTH", TenantCluster.Alpha, "not-the-password"));
        Reply.Error(WrongPass, await wrong.CallAsync("AUTH", TenantCluster.Beta, password));
        Reply.Error(WrongPass, await wrong.CallAsync("AUTH", "alpha.app", other));
        Reply.Error(WrongPass, await wrong.CallAsync("AUTH", "no-such-namespace", password));
        Reply.Error(WrongPass, await wrong.CallAsync("AUTH", "nobody's-password"));
        Reply.Error(WrongPass, await wrong.CallAsync("HELLO", "3", "AUTH", TenantCluster.Beta, password));
        Reply.Error("NOAUTH", await wrong.CallAsync("GET", "who"));

        // A failed AUTH leaves an authenticated session as it was (Redis keeps the user).
        Reply.Error(WrongPass, await byName.CallAsync("AUTH", TenantCluster.Beta, "wrong-password"));
        Reply.Text("alpha", await byName.CallAsync("GET", "who"));

        // Switching namespace on one connection is allowed, and then sees only the new one.
        Reply.Ok(await byName.CallAsync("AUTH", TenantCluster.Beta, betaPassword));
        Assert.True((await byName.CallAsync("GET", "who")).IsNull);

        // RESET forgets the user, as Redis goes back to the default user.
        Reply.Text("RESET", await byName.CallAsync("RESET"));
        Reply.Error("NOAUTH", await byName.CallAsync("GET", "who"));

        var failures = await cluster.ConnectAsync();
        Reply.Ok(await failures.CallAsync("AUTH", TenantCluster.Alpha, password));
        Assert.Matches("auth_failures:[1-9]", (await failures.CallAsync("INFO", "proxy")).AsString());
    }

    [Fact]
    public async Task A_connection_holding_subscriptions_cannot_move_to_another_namespace()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alphaPassword = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var betaPassword = await cluster.AddUserAsync(TenantCluster.Beta, "app");
        await cluster.LoginAsync(TenantCluster.Beta, betaPassword);
        var client = await cluster.ConnectAsync();
        Assert.True((await client.CallAsync("HELLO", "3", "AUTH", TenantCluster.Alpha, alphaPassword)).IsAggregate);
        Assert.Equal(["subscribe", "news", "1"], Reply.Strings(await client.CallAsync("SUBSCRIBE", "news")));

        var refused = await client.CallAsync("AUTH", TenantCluster.Beta, betaPassword);
        Reply.Error("ERR AUTH to namespace 'beta' is refused while this connection is in MULTI, subscribed or tracking in namespace 'alpha'", refused);
        ByDesign(["AUTH", TenantCluster.Beta, betaPassword], $"-{refused.AsString()}\r\n");

        // Still alpha's, still subscribed; after UNSUBSCRIBE it may move.
        Assert.Contains("ns=alpha", (await client.CallAsync("CLIENT", "INFO")).AsString());
        Assert.Equal("unsubscribe", (await client.CallAsync("UNSUBSCRIBE", "news")).Items![0].AsString());
        Reply.Ok(await client.CallAsync("AUTH", TenantCluster.Beta, betaPassword));
        Assert.Contains("ns=beta", (await client.CallAsync("CLIENT", "INFO")).AsString());
    }

    /// <summary>The reply is one of the documented by-design differences (docs/commands.md), pattern and all.</summary>
    private static void ByDesign(string[] command, string reply) =>
        Assert.True(
            Tessera.Proxy.Commands.ByDesignDifferences.All.Any(d => d.TestedBy == nameof(TenantAuthTests) && d.Matches(command, reply, [])),
            $"{string.Join(' ', command)} answered {reply.TrimEnd()}, which no by-design difference tested by {nameof(TenantAuthTests)} describes");

    [Fact]
    public async Task A_rotated_password_works_alongside_the_old_one_until_the_old_one_is_removed()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var old = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var added = await cluster.Client.UpdateUserAsync(TenantCluster.Alpha, "app", new UpdateUserRequest(AddPassword: ""));
        Assert.Equal(2, added.Passwords);
        var next = added.Password!;

        await cluster.WaitForProxiesAsync(async c => (await c.CallAsync("AUTH", TenantCluster.Alpha, next)).IsOk, "the second password");
        var onOld = await cluster.LoginAsync(TenantCluster.Alpha, old);
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateUserAsync(TenantCluster.Alpha, "app", new UpdateUserRequest(AddPassword: "")), HttpStatusCode.Conflict, "'app' already holds 2 passwords");

        await cluster.Client.UpdateUserAsync(TenantCluster.Alpha, "app", new UpdateUserRequest(RemovePassword: old));
        await cluster.WaitForProxiesAsync(async c => (await c.CallAsync("AUTH", TenantCluster.Alpha, old)).IsError, "the old password refused");
        Reply.Ok(await (await cluster.ConnectAsync()).CallAsync("AUTH", "alpha.app", next));

        // A connection that authenticated with the old password stays, as in Redis.
        Reply.Ok(await onOld.CallAsync("SET", "k", "v"));
        await ApiAssert.RefusedAsync(() => cluster.Client.UpdateUserAsync(TenantCluster.Alpha, "app", new UpdateUserRequest(RemovePassword: next)), HttpStatusCode.Conflict, "that is 'app''s last password");
    }

    [Fact]
    public async Task A_readonly_user_reads_and_is_refused_writes_and_writing_scripts()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var writer = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var reader = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "reports", new CreateUserRequest("reports", Access: UserAccess.ReadOnly)));
        Reply.Ok(await writer.CallAsync("SET", "k", "v"));

        Reply.Text("v", await reader.CallAsync("GET", "k"));
        Reply.Error("NOPERM this user has no permissions to run the 'set' command", await reader.CallAsync("SET", "k", "w"));
        Reply.Error("NOPERM this user has no permissions to run the 'del' command", await reader.CallAsync("DEL", "k"));
        var eval = await reader.CallAsync("EVAL", "return redis.call('SET', KEYS[1], 'x')", "1", "k");
        Reply.Error("NOPERM this user has no permissions to run the 'eval' command", eval);
        ByDesign(["EVAL"], $"-{eval.AsString()}\r\n");
        Reply.Text("v", await reader.CallAsync("EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k"));
        Reply.Error("NOPERM this user has no permissions to run 'function|load'".Replace("run 'function", "run the 'function", StringComparison.Ordinal), await reader.CallAsync("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() return 1 end)"));

        // Queued inside MULTI, the refusal aborts the transaction at EXEC.
        Reply.Ok(await reader.CallAsync("MULTI"));
        Reply.Error("NOPERM", await reader.CallAsync("SET", "k", "w"));
        Reply.Error("EXECABORT", await reader.CallAsync("EXEC"));
        Reply.Text("v", await writer.CallAsync("GET", "k"));
    }

    [Fact]
    public async Task Denied_categories_are_refused_and_changes_reach_live_connections()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var password = await cluster.AddUserAsync(TenantCluster.Alpha, "batch", new CreateUserRequest("batch", Deny: ["@dangerous", "admin"]));
        var users = await cluster.Client.ListUsersAsync(TenantCluster.Alpha);
        Assert.Equal(["@dangerous", "@admin"], users.Single().Deny);
        var client = await cluster.LoginAsync(TenantCluster.Alpha, password);

        Reply.Error("NOPERM this user has no permissions to run the 'keys' command", await client.CallAsync("KEYS", "*"));
        Reply.Error("NOPERM this user has no permissions to run the 'flushall' command", await client.CallAsync("FLUSHALL"));
        Reply.Error("NOPERM this user has no permissions to run the 'config|get' command", await client.CallAsync("CONFIG", "GET", "maxmemory"));
        Reply.Ok(await client.CallAsync("SET", "k", "v"));

        // Denying @write on the live user: the same connection is refused writes at once.
        await cluster.Client.UpdateUserAsync(TenantCluster.Alpha, "batch", new UpdateUserRequest(Deny: ["@write"]));
        await Eventually.TrueAsync(async () => (await client.CallAsync("SET", "k", "w")).IsError, TimeSpan.FromSeconds(10), "the live connection follows the new denied list");
        Assert.True((await client.CallAsync("KEYS", "*")).IsAggregate, "@dangerous is no longer denied");

        // Removing the user closes its connections.
        await cluster.Client.RemoveUserAsync(TenantCluster.Alpha, "batch");
        Assert.True(await client.ClosedAsync(), "the removed user's connection was not closed within 10 s");
    }

    [Fact]
    public async Task The_readonly_switch_refuses_writes_of_one_namespace_only()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var alpha = await cluster.LoginAsync(TenantCluster.Alpha, await cluster.AddUserAsync(TenantCluster.Alpha, "app"));
        var beta = await cluster.LoginAsync(TenantCluster.Beta, await cluster.AddUserAsync(TenantCluster.Beta, "app"));
        Reply.Ok(await alpha.CallAsync("SET", "k", "v"));

        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(ReadOnly: true));
        var refused = await alpha.CallAsync("SET", "k", "w");
        Reply.Error("READONLY namespace 'alpha' is read-only", refused);
        ByDesign(["SET", "k", "w"], $"-{refused.AsString()}\r\n");
        Reply.Error("READONLY namespace 'alpha'", await alpha.CallAsync("EVAL", "return 1", "0"));
        Reply.Text("v", await alpha.CallAsync("GET", "k"));
        Reply.Ok(await beta.CallAsync("SET", "k", "beta"));

        await cluster.Client.UpdateNamespaceAsync(TenantCluster.Alpha, new UpdateNamespaceRequest(ReadOnly: false));
        Reply.Ok(await alpha.CallAsync("SET", "k", "w"));
    }

    [Fact]
    public async Task An_open_namespace_needs_no_password_and_a_closed_one_does()
    {
        await using var cluster = await TenantCluster.StartAsync();
        await cluster.Client.RemoveNamespaceAsync(TenantCluster.Alpha, force: true);
        await cluster.Client.CreateNamespaceAsync("default", open: true);
        await cluster.Client.CreateGroupAsync("default", 1);
        await cluster.Client.AddServerAsync("default", 1, cluster.Redis[0].Endpoint);
        await cluster.Client.AssignSlotsAsync("default", 0, 1023, 1);

        var anonymous = await cluster.ConnectAsync();
        Reply.Ok(await anonymous.CallAsync("SET", "open", "yes"));
        Reply.Error("ERR AUTH <password> called without any password configured for the default user", await anonymous.CallAsync("AUTH", "whatever"));
        Reply.Ok(await anonymous.CallAsync("AUTH", "default", "anything"));

        // Closing it: new connections must AUTH.
        await cluster.Client.UpdateNamespaceAsync("default", new UpdateNamespaceRequest(Open: false));
        Reply.Error("NOAUTH", await (await cluster.ConnectAsync()).CallAsync("GET", "open"));
    }

    [Fact]
    public async Task Passwords_are_unique_across_the_store_and_bad_user_settings_are_refused()
    {
        await using var cluster = await TenantCluster.StartAsync();
        await cluster.AddUserAsync(TenantCluster.Alpha, "app", new CreateUserRequest("app", Password: "correct-horse-battery"));
        await ApiAssert.RefusedAsync(() => cluster.Client.CreateUserAsync(TenantCluster.Beta, new CreateUserRequest("app", Password: "correct-horse-battery")), HttpStatusCode.Conflict, "that password is already used by another user");
        await ApiAssert.RefusedAsync(() => cluster.Client.CreateUserAsync(TenantCluster.Alpha, new CreateUserRequest("app")), HttpStatusCode.Conflict, "namespace 'alpha' already has a user 'app'");
        await ApiAssert.RefusedAsync(() => cluster.Client.CreateUserAsync(TenantCluster.Alpha, new CreateUserRequest("x", Password: "short")), HttpStatusCode.BadRequest, "a password must be 8–512 characters");
        await ApiAssert.RefusedAsync(() => cluster.Client.CreateUserAsync(TenantCluster.Alpha, new CreateUserRequest("a.b")), HttpStatusCode.BadRequest, "'a.b' is not a user name");
        await ApiAssert.RefusedAsync(() => cluster.Client.CreateUserAsync(TenantCluster.Alpha, new CreateUserRequest("x", Deny: ["@nothing"])), HttpStatusCode.BadRequest, "'@nothing' is not an ACL category");
        await ApiAssert.RefusedAsync(() => cluster.Client.CreateUserAsync("nope", new CreateUserRequest("x")), HttpStatusCode.NotFound, "namespace 'nope' does not exist");
        await ApiAssert.RefusedAsync(() => cluster.Client.RemoveUserAsync(TenantCluster.Alpha, "ghost"), HttpStatusCode.NotFound, "namespace 'alpha' has no user 'ghost'");

        // Only hashes are stored (no file of the store holds the password), and the API never shows them.
        foreach (var file in Directory.GetFiles(cluster.Directory.Path, "*", SearchOption.AllDirectories).Where(f => !f.Contains("redis", StringComparison.OrdinalIgnoreCase)))
        {
            Assert.DoesNotContain("correct-horse-battery", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }

        await using var store = Tessera.Store.StoreFactory.Open(cluster.Directory.StoreUrl);
        var access = System.Text.Json.JsonSerializer.Deserialize<NamespaceAccess>((await store.GetAsync(Tessera.Store.StorePaths.Access(TenantCluster.Alpha)))!.Value, TesseraJson.Options)!;
        var hash = Assert.Single(access.Users.Single().Passwords);
        Assert.Equal(PasswordHash.Compute(access.Salt, "correct-horse-battery"u8), hash);
        var listed = System.Text.Json.JsonSerializer.Serialize(await cluster.Client.ListUsersAsync(TenantCluster.Alpha));
        Assert.DoesNotContain(hash, listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_slow_that_client_only()
    {
        await using var cluster = await TenantCluster.StartAsync();
        var password = await cluster.AddUserAsync(TenantCluster.Alpha, "app");
        var other = await cluster.LoginAsync(TenantCluster.Alpha, password);
        var guesser = await cluster.ConnectAsync();
        for (int i = 0; i < 8; i++)
        {
            await guesser.SendAsync(Tessera.Testing.RawConnection.Command("AUTH", TenantCluster.Alpha, "guess-" + i));
        }

        // The guesser's first replies come at once; later ones wait out its pauses, while another client is served.
        Reply.Error("WRONGPASS", (await guesser.ReadAsync(TimeSpan.FromSeconds(10)))!);
        Reply.Text("PONG", await other.CallAsync("PING"));
        var watch = Stopwatch.StartNew();
        for (int i = 1; i < 8; i++)
        {
            Reply.Error("WRONGPASS", (await guesser.ReadAsync(TimeSpan.FromSeconds(20)))!);
        }

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"8 wrong AUTHs in a row took only {watch.Elapsed.TotalMilliseconds:0} ms: failures are not slowed");
    }
}
