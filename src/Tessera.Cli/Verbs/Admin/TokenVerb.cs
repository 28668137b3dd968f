using System.CommandLine;
using System.Globalization;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera token create|list|revoke</c>: the controller API's bearer tokens (admin only).</summary>
internal static class TokenVerb
{
    private const string Roles = "viewer, operator or admin";

    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var command = new Command("token", "Create, list and revoke the API tokens that the controller and the proxies' admin APIs accept (needs an admin token).")
        {
            controller,
            CreateVerb(controller),
            ListVerb(controller),
            RevokeVerb(controller),
        }.WithEpilog($"""
            Roles: viewer reads (status, namespaces, slots, events); operator also changes the topology (namespaces,
            groups, servers, slots, migrations, promotions, rebalancing); admin also manages tokens, namespace users
            and secrets, and reads the audit log. A controller's first start on an empty store creates token 'admin'
            and writes it to its --admin-token-file (default ~/.config/tessera/admin.token; `tessera up` writes
            <dir>/admin.token). Admin verbs find their token by: {AdminOptions.TokenOrder}.

            Examples:
              tessera token create ci-deploy --role operator
              tessera token list
              tessera token revoke ci-deploy
              TESSERA_TOKEN=tsr_… tessera status
            """);
        return command;
    }

    private static Command CreateVerb(Option<Uri> controller)
    {
        var name = new Argument<string>("name") { Description = "The token's name: 1-64 letters, digits, '-', '_' or '.' (who or what uses it, e.g. ci-deploy)." };
        var role = new Option<string>("--role", "-r")
        {
            Description = $"What the token may do: {Roles}.",
            HelpName = "role",
            Required = true,
        };
        role.AcceptOnlyFromAmong("viewer", "operator", "admin");
        var json = AdminOptions.Json();
        var command = new Command("create", "Create a token and print it: this is the only time it is shown (the store keeps its SHA-256 only).") { name, role, json }
            .WithEpilog("""
                Keep the token somewhere safe (a secret store, a file readable by you only); a lost token cannot be
                shown again: revoke it and create another.

                Example:
                  tessera token create alice --role viewer
                  tessera token create ci-deploy --role operator --json | jq -r .token > ci.token
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var created = await client.CreateTokenAsync(parse.GetValue(name)!, parse.GetValue(role)!, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(created);
                return;
            }

            output.Line($"Created token '{created.Name}' (role {created.Role}). It is shown this once; store it safely:");
            output.Line(created.Token);
        }, cancel));
        return command;
    }

    private static Command ListVerb(Option<Uri> controller)
    {
        var json = AdminOptions.Json();
        var command = new Command("list", "List the tokens: name, role, when and by which token each was created (never the tokens themselves).") { json }
            .WithEpilog("""
                Example:
                  tessera token list --json
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var tokens = await client.ListTokensAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(tokens);
                return;
            }

            output.Table(
                ["NAME", "ROLE", "CREATED (UTC)", "CREATED BY"],
                tokens.Select(static t => (IReadOnlyList<string>)
                    [t.Name, t.Role, t.Created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), t.CreatedBy]));
        }, cancel));
        return command;
    }

    private static Command RevokeVerb(Option<Uri> controller)
    {
        var name = new Argument<string>("name") { Description = "The token to revoke (see `tessera token list`)." };
        var json = AdminOptions.Json();
        var command = new Command("revoke", "Revoke a token: every controller refuses it within about a second. The last admin token cannot be revoked.") { name, json }
            .WithEpilog("""
                Example:
                  tessera token revoke ci-deploy
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var revoked = parse.GetValue(name)!;
            await client.RevokeTokenAsync(revoked, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(new { revoked });
                return;
            }

            output.Line($"Revoked token '{revoked}'.");
        }, cancel));
        return command;
    }
}
