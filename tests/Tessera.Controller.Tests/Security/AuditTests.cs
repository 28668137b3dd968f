using System.Net;
using Tessera.Controller.Tests.Support;

namespace Tessera.Controller.Tests.Security;

/// <summary>The audit log of a real controller: each change with its token, role, route and result; no reads, no secrets.</summary>
public sealed class AuditTests
{
    [Fact]
    public async Task Each_change_is_recorded_with_its_token_and_result_and_reads_and_secrets_are_not()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var admin = controller.Client();
        var created = await admin.CreateTokenAsync("deployer", "operator");
        using var deployer = controller.Client(created.Token);

        await deployer.CreateNamespaceAsync("shop");
        await ApiAssert.RefusedAsync(() => deployer.CreateNamespaceAsync("shop"), HttpStatusCode.Conflict);
        await deployer.GetStatusAsync();
        await ApiAssert.RefusedAsync(() => deployer.ListAuditAsync(), HttpStatusCode.Forbidden, "role admin");

        var entries = await admin.ListAuditAsync();
        Assert.Equal(
            [("admin", "admin", "POST", "/api/tokens", 200), ("deployer", "operator", "POST", "/api/namespaces", 200), ("deployer", "operator", "POST", "/api/namespaces", 409)],
            entries.Select(e => (e.Token, e.Role, e.Method, e.Path, e.Status)));
        Assert.All(entries, e => Assert.StartsWith("127.0.0.1:", e.Client, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.Equal("ctl-1", e.Controller));
        Assert.Equal("/api/tokens", entries[0].Route);

        // A route with values names them; the token made above is nowhere in the log.
        await admin.RemoveNamespaceAsync("shop");
        var removal = (await admin.ListAuditAsync(1)).Single();
        Assert.Equal(("DELETE", "/api/namespaces/{ns}", "shop", 200), (removal.Method, removal.Route, removal.Values["ns"], removal.Status));
        await using var store = Store.StoreFactory.Open(dir.StoreUrl);
        var stored = (await store.GetAsync(Store.StorePaths.AuditLog))!.Value;
        Assert.DoesNotContain(created.Token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(TestTokens.AdminToken(dir.StoreUrl), stored, StringComparison.Ordinal);
    }
}
