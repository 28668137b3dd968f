using System.Text.Json;
using Tessera.Model.Api;

namespace Tessera.Cli.Tests.Verbs.Admin;

/// <summary>`tessera token` and `tessera audit` against a real controller, and the global --token before and after the verb.</summary>
public sealed class TokenVerbTests
{
    [Fact]
    public async Task Tokens_are_created_listed_and_revoked_and_the_token_option_works_before_and_after_the_verb()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        var url = controller.Url.ToString();
        var admin = TestTokens.AdminToken(dir.StoreUrl);

        var created = await AdminCli.OkAsync("token", "create", "ci-deploy", "--role", "operator", "--controller", url);
        Assert.Contains("Created token 'ci-deploy' (role operator)", created.Output, StringComparison.Ordinal);
        var token = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith("tsr_", StringComparison.Ordinal));
        var json = JsonSerializer.Deserialize<CreatedToken>((await AdminCli.OkAsync("token", "create", "alice", "--role", "viewer", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal(("alice", "viewer"), (json.Name, json.Role));

        // --token after the sub-verb, and between the verb and the sub-verb.
        var list = (await AdminCli.OkAsync("token", "list", "--controller", url, "--token", admin)).Output;
        Assert.Contains("NAME", list, StringComparison.Ordinal);
        Assert.Contains("ci-deploy  operator", list, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list, StringComparison.Ordinal);
        var listed = JsonSerializer.Deserialize<List<TokenInfo>>((await AdminCli.OkAsync("token", "--token", admin, "list", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal(["admin", "alice", "ci-deploy"], listed.Select(t => t.Name));

        // The operator token changes the topology but may not manage tokens; the viewer only reads.
        await AdminCli.OkAsync("namespace", "--token", token, "create", "shop", "--controller", url);
        var refused = await AdminCli.RunAsync("token", "list", "--controller", url, "--token", token);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("needs a token with role admin", refused.Error, StringComparison.Ordinal);
        await AdminCli.OkAsync("status", "--controller", url, "--token", json.Token);
        Assert.Equal(1, (await AdminCli.RunAsync("namespace", "create", "nope", "--controller", url, "--token", json.Token)).ExitCode);

        // A wrong token and a missing token file say so in one line.
        var wrong = await AdminCli.RunAsync("status", "--controller", url, "--token", "tsr_wrong");
        Assert.Equal(1, wrong.ExitCode);
        Assert.StartsWith("error: the bearer token is not one this cluster knows", wrong.Error, StringComparison.Ordinal);
        var missing = await AdminCli.RunAsync("status", "--controller", url, "--token-file", dir.Sub("nothing.token"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
        await AdminCli.OkAsync("status", "--controller", url, "--token-file", TestTokens.FileFor(dir.StoreUrl));

        Assert.Contains("Revoked token 'ci-deploy'", (await AdminCli.OkAsync("token", "revoke", "ci-deploy", "--controller", url)).Output, StringComparison.Ordinal);
        Assert.Equal(1, (await AdminCli.RunAsync("status", "--controller", url, "--token", token)).ExitCode);
        var last = await AdminCli.RunAsync("token", "revoke", "admin", "--controller", url);
        Assert.Equal(1, last.ExitCode);
        Assert.Contains("last admin token", last.Error, StringComparison.Ordinal);

        // The audit log, as a table: the changes above with their tokens and results.
        var audit = (await AdminCli.OkAsync("audit", "--controller", url)).Output;
        Assert.Contains("TOKEN", audit, StringComparison.Ordinal);
        Assert.Contains("POST /api/tokens", audit, StringComparison.Ordinal);
        Assert.Contains("ci-deploy  operator", audit, StringComparison.Ordinal);
        Assert.Contains("DELETE /api/tokens/ci-deploy", audit, StringComparison.Ordinal);
        Assert.Contains("409", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(token, audit, StringComparison.Ordinal);
        var entries = JsonSerializer.Deserialize<List<AuditEntry>>((await AdminCli.OkAsync("audit", "--limit", "2", "--json", "--controller", url)).Output, TesseraJson.Options)!;
        Assert.Equal(2, entries.Count);
        Assert.Equal("/api/tokens/admin", entries[^1].Path);
    }
}
