using System.CommandLine;
using Tessera.Controller.Api;
using Tessera.Model.Api;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>
/// <c>tessera namespace set NS --backend-password P [--backend-user U]</c> and <c>--no-backend-password</c>: the
/// credentials proxies and controllers log in to the namespace's redis-servers with. The password is sent to the
/// controller and never printed back ("***").
/// </summary>
internal sealed class NamespaceBackendOptions
{
    private readonly Option<string?> _password = new("--backend-password")
    {
        Description = "The password the namespace's redis-servers require (their requirepass, or the ACL user's with --backend-user). Checked against every master before it is stored. It shows in the shell's history: prefer a variable, e.g. --backend-password \"$REDIS_PASSWORD\".",
        HelpName = "password",
    };

    private readonly Option<string?> _user = new("--backend-user")
    {
        Description = "The ACL user to log in as (AUTH user password); without it, the default user (requirepass). Only with --backend-password.",
        HelpName = "user",
    };

    private readonly Option<bool> _none = new("--no-backend-password")
    {
        Description = "Remove the backend credentials (refused while a master still requires a password: remove its requirepass first).",
    };

    public IEnumerable<Option> All => [_password, _user, _none];

    /// <summary>What the command line asks: null when no backend option is given; an error text on a contradiction.</summary>
    public (SetBackendCredentialsRequest? Set, bool Remove, string? Error) Read(ParseResult parse)
    {
        var password = parse.GetValue(_password);
        var user = parse.GetValue(_user);
        var remove = parse.GetValue(_none);
        if (remove && (password is not null || user is not null))
        {
            return (null, false, "--no-backend-password removes the credentials: give it without --backend-password and --backend-user");
        }

        if (user is not null && password is null)
        {
            return (null, false, "--backend-user needs --backend-password (the ACL user's password)");
        }

        if (password is "")
        {
            return (null, false, "--backend-password is empty; to remove the backend credentials use --no-backend-password");
        }

        return (password is null ? null : new SetBackendCredentialsRequest(password, user), remove, null);
    }

    /// <summary>Sends the change and prints its answer (the user, never the password).</summary>
    public static async Task RunAsync(ControllerClient client, AdminOutput output, string ns, SetBackendCredentialsRequest? set, bool json, CancellationToken cancellationToken)
    {
        var view = set is null
            ? await client.RemoveBackendCredentialsAsync(ns, cancellationToken).ConfigureAwait(false)
            : await client.SetBackendCredentialsAsync(ns, set, cancellationToken).ConfigureAwait(false);
        if (json)
        {
            output.Json(view);
            return;
        }

        output.Line(view.Summary ?? $"namespace '{ns}': backend credentials changed");
        foreach (var warning in view.Warnings ?? [])
        {
            output.Error.WriteLine("warning: " + warning);
        }
    }
}
