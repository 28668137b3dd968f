using System.Net;
using System.Net.Http.Headers;
using Tessera.Controller.Api;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Api;

namespace Tessera.Controller.Tests.Security;

/// <summary>Tokens through the API of real controllers: created once, listed without secrets, refused once revoked, and the first one written on first start.</summary>
public sealed class TokenTests
{
    private static readonly TimeSpan RevokeBound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_token_is_shown_once_listed_without_secrets_and_refused_by_every_controller_once_revoked()
    {
        using var dir = new TempDirectory();
        await using var leader = await TestControllers.StartLeaderAsync(dir.StoreUrl, "ctl-a");
        await using var standby = await TestControllers.StartAsync(dir.StoreUrl, "ctl-b");
        using var admin = leader.Client();

        var created = await admin.CreateTokenAsync("alice", "viewer");
        Assert.Equal(("alice", "viewer"), (created.Name, created.Role));
        Assert.StartsWith("tsr_", created.Token, StringComparison.Ordinal);

        // The listing names both tokens and who made them, and nothing secret.
        var listed = await admin.ListTokensAsync();
        Assert.Equal(["admin", "alice"], listed.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal("admin", listed.Single(t => t.Name == "alice").CreatedBy);
        Assert.Equal("controller", listed.Single(t => t.Name == "admin").CreatedBy);
        using (var http = new HttpClient { BaseAddress = leader.Url })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.AdminToken(dir.StoreUrl));
            var raw = await http.GetStringAsync(new Uri(ControllerRoutes.Tokens, UriKind.Relative));
            Assert.DoesNotContain("hash", raw, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(created.Token, raw, StringComparison.Ordinal);
            Assert.DoesNotContain(Model.Security.TokenSecrets.Hash(created.Token), raw, StringComparison.Ordinal);
        }

        // Bad input says what is wrong and what to do.
        await ApiAssert.RefusedAsync(() => admin.CreateTokenAsync("alice", "viewer"), HttpStatusCode.Conflict, "'alice' exists already", "tessera token revoke alice");
        await ApiAssert.RefusedAsync(() => admin.CreateTokenAsync("bob", "root"), HttpStatusCode.BadRequest, "'root' is not a role", "viewer, operator or admin");
        await ApiAssert.RefusedAsync(() => admin.CreateTokenAsync("bad name", "viewer"), HttpStatusCode.BadRequest, "cannot be a token name");
        await ApiAssert.RefusedAsync(() => admin.RevokeTokenAsync("nobody"), HttpStatusCode.NotFound, "no token named 'nobody'");
        await ApiAssert.RefusedAsync(() => admin.RevokeTokenAsync("admin"), HttpStatusCode.Conflict, "last admin token", "--role admin");

        // The token works on both controllers, then neither accepts it once revoked.
        using var onLeader = leader.Client(created.Token);
        using var onStandby = standby.Client(created.Token);
        Assert.True((await onLeader.GetStatusAsync()).Controller.IsLeader);
        await Eventually.TrueAsync(async () => await WorksAsync(onStandby), RevokeBound, "the standby accepting the new token");
        await admin.RevokeTokenAsync("alice");
        await ApiAssert.RefusedAsync(() => onLeader.GetStatusAsync(), HttpStatusCode.Unauthorized, "not one this cluster knows");
        await Eventually.TrueAsync(async () => !await WorksAsync(onStandby), RevokeBound, "the standby refusing the revoked token");
        Assert.Equal(["admin"], (await admin.ListTokensAsync()).Select(t => t.Name));

        // With a second admin token, the first one may go.
        var second = await admin.CreateTokenAsync("admin-2", "admin");
        using var secondAdmin = leader.Client(second.Token);
        await secondAdmin.RevokeTokenAsync("admin");
        await ApiAssert.RefusedAsync(() => admin.ListTokensAsync(), HttpStatusCode.Unauthorized);
        await ApiAssert.RefusedAsync(() => secondAdmin.RevokeTokenAsync("admin-2"), HttpStatusCode.Conflict, "last admin token");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_first_start_writes_a_private_working_admin_token_and_later_controllers_write_none()
    {
        using var dir = new TempDirectory();
        var first = Path.Combine(dir.Path, "config", "tessera", "admin.token");
        await using var controller = await StartAsync(dir.StoreUrl, "ctl-a", first);
        Assert.True(File.Exists(first));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(first)!));
        var token = (await File.ReadAllTextAsync(first)).Trim();
        using (var client = controller.Client(token))
        {
            Assert.Equal("admin", Assert.Single(await client.ListTokensAsync()).Name);
        }

        // A second controller on the store, and the first one restarted, find a token and write nothing.
        var second = Path.Combine(dir.Path, "second.token");
        await using (await StartAsync(dir.StoreUrl, "ctl-b", second))
        {
            Assert.False(File.Exists(second));
        }

        await controller.DisposeAsync();
        File.Delete(first);
        await using var again = await StartAsync(dir.StoreUrl, "ctl-a", first);
        Assert.False(File.Exists(first));
        using var still = again.Client(token);
        Assert.Equal("admin", Assert.Single(await still.ListTokensAsync()).Name);
    }

    [Fact]
    public async Task Two_controllers_starting_together_on_an_empty_store_make_one_admin_token()
    {
        using var dir = new TempDirectory();
        var files = new[] { Path.Combine(dir.Path, "a.token"), Path.Combine(dir.Path, "b.token") };
        var started = await Task.WhenAll(StartAsync(dir.StoreUrl, "ctl-a", files[0]), StartAsync(dir.StoreUrl, "ctl-b", files[1]));
        try
        {
            var written = Assert.Single(files, File.Exists);
            using var client = started[0].Client((await File.ReadAllTextAsync(written)).Trim());
            Assert.Equal("admin", Assert.Single(await client.ListTokensAsync()).Name);
        }
        finally
        {
            foreach (var controller in started)
            {
                await controller.DisposeAsync();
            }
        }
    }

    private static async Task<bool> WorksAsync(ControllerClient client)
    {
        try
        {
            await client.GetStatusAsync();
            return true;
        }
        catch (ControllerApiException e) when (e.StatusCode == HttpStatusCode.Unauthorized)
        {
            return false;
        }
    }

    private static Task<Hosting.ControllerServer> StartAsync(string storeUrl, string id, string tokenFile) =>
        Hosting.ControllerServer.StartAsync(new ControllerOptions
        {
            StoreUrl = storeUrl,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Id = id,
            AdminTokenFile = tokenFile,
        });
}
