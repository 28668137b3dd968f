using System.CommandLine;
using Tessera.Cli.Hosting;
using Tessera.Model.Api;
using Tessera.Model.Tenants;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera namespace user add|set|remove|list</c>: who may use a namespace, with what permissions.</summary>
internal static class NamespaceUserVerb
{
    public static Command Create(Option<Uri> controller) => new Command("user", "Add, change, remove and list a namespace's users (the passwords clients AUTH with).")
    {
        AddVerb(controller),
        SetVerb(controller),
        RemoveVerb(controller),
        ListVerb(controller),
    }.WithEpilog("""
        Clients authenticate with any of these forms:
          AUTH <namespace> <password>            any user of the namespace, found by its password
          AUTH <namespace>.<user> <password>     that user
          AUTH <password>                        passwords are unique across the cluster (twemproxy/Codis style)
          HELLO 3 AUTH <namespace> <password>
        Passwords are stored hashed and shown once, when made. A user holds up to two, to rotate without downtime:
          tessera namespace user set shop app --add-password ""     (prints the new one)
          ... move the clients to it ...
          tessera namespace user set shop app --remove-password OLD
        """);

    private static Command AddVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var user = UserArgument();
        var password = PasswordOption("--password", "The user's password (8-512 characters, unique in the cluster). Omit it to have a strong one generated and printed once.");
        var readOnly = new Option<bool>("--readonly") { Description = "Reads only: commands that write, and EVAL/EVALSHA/FCALL, are refused with -NOPERM (EVAL_RO, FCALL_RO work)." };
        var deny = DenyOption();
        var json = AdminOptions.Json();
        var command = new Command("add", "Add a user to a namespace; prints its password once.") { ns, user, password, readOnly, deny, json }
            .WithEpilog("""
                Examples:
                  tessera namespace user add shop app
                  tessera namespace user add shop reports --readonly
                  tessera namespace user add shop batch --deny @admin,@dangerous,@scripting
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var request = new CreateUserRequest(parse.GetValue(user)!, parse.GetValue(password), parse.GetValue(readOnly) ? UserAccess.ReadOnly : UserAccess.ReadWrite, Categories(parse.GetValue(deny)));
            Write(output, await client.CreateUserAsync(parse.GetValue(ns)!, request, ct).ConfigureAwait(false), parse.GetValue(json), "added");
        }, cancel));
        return command;
    }

    private static Command SetVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var user = UserArgument();
        var add = PasswordOption("--add-password", "Add a password (a user holds at most two); \"\" generates one and prints it once.");
        var remove = PasswordOption("--remove-password", "Remove this password (not the last one): after clients moved to the new one.");
        var access = new Option<string?>("--access") { Description = "readwrite or readonly.", HelpName = "readwrite|readonly" };
        access.AcceptOnlyFromAmong("readwrite", "readonly");
        var deny = DenyOption();
        var json = AdminOptions.Json();
        var command = new Command("set", "Change a user: rotate its passwords, its access, its denied categories. Live connections follow at once.") { ns, user, add, remove, access, deny, json }
            .WithEpilog("""
                Examples:
                  tessera namespace user set shop app --add-password ""
                  tessera namespace user set shop app --remove-password 'the-old-one'
                  tessera namespace user set shop app --access readonly
                  tessera namespace user set shop app --deny ""          (deny nothing)
                """);
        command.SetAction((parse, cancel) =>
        {
            var request = new UpdateUserRequest(
                parse.GetValue(add),
                parse.GetValue(remove),
                parse.GetValue(access) switch { "readonly" => UserAccess.ReadOnly, "readwrite" => UserAccess.ReadWrite, _ => null },
                parse.GetValue(deny) is { } denied ? Categories(denied) : null);
            if (request.IsEmpty)
            {
                parse.InvocationConfiguration.Error.WriteLine("error: nothing to change: give e.g. --add-password \"\" or --access readonly (see `tessera namespace user set --help`)");
                return Task.FromResult(ExitCodes.Usage);
            }

            return AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
                Write(output, await client.UpdateUserAsync(parse.GetValue(ns)!, parse.GetValue(user)!, request, ct).ConfigureAwait(false), parse.GetValue(json), "changed"), cancel);
        });
        return command;
    }

    private static Command RemoveVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var user = UserArgument();
        var json = AdminOptions.Json();
        var command = new Command("remove", "Remove a user; proxies close its connections.") { ns, user, json }
            .WithEpilog("""
                Example:
                  tessera namespace user remove shop batch
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            Write(output, await client.RemoveUserAsync(parse.GetValue(ns)!, parse.GetValue(user)!, ct).ConfigureAwait(false), parse.GetValue(json), "removed"), cancel));
        return command;
    }

    private static Command ListVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var json = AdminOptions.Json();
        var command = new Command("list", "List a namespace's users (never their passwords).") { ns, json }
            .WithEpilog("""
                Example:
                  tessera namespace user list shop --json
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var users = await client.ListUsersAsync(parse.GetValue(ns)!, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(users);
                return;
            }

            if (users.Count == 0)
            {
                output.Line($"Namespace '{parse.GetValue(ns)}' has no users: add one with `tessera namespace user add {parse.GetValue(ns)} app`.");
                return;
            }

            output.Table(["USER", "ACCESS", "PASSWORDS", "DENIED"], users.Select(static u => (IReadOnlyList<string>)
            [
                u.Name,
                u.Access == UserAccess.ReadOnly ? "readonly" : "readwrite",
                u.Passwords.ToString(System.Globalization.CultureInfo.InvariantCulture),
                u.Deny.Count == 0 ? "-" : string.Join(",", u.Deny),
            ]));
        }, cancel));
        return command;
    }

    private static void Write(AdminOutput output, UserView user, bool json, string what)
    {
        if (json)
        {
            output.Json(user);
            return;
        }

        var access = user.Access == UserAccess.ReadOnly ? "readonly" : "readwrite";
        var denied = user.Deny.Count == 0 ? "" : $", denied {string.Join(",", user.Deny)}";
        output.Line($"user '{user.Name}' of namespace '{user.Namespace}' {what} ({access}{denied}, {user.Passwords} password(s))");
        if (user.Password is { } password)
        {
            output.Line($"password (shown once): {password}");
            output.Line($"clients: AUTH {user.Namespace}.{user.Name} {password}");
        }
    }

    private static Argument<string> UserArgument() => new("user") { Description = "User name: 1-64 letters, digits, '-' or '_'." };

    private static Option<string?> PasswordOption(string name, string description) => new(name) { Description = description, HelpName = "password" };

    private static Option<string?> DenyOption() => new("--deny")
    {
        Description = $"ACL categories the user may not run, comma-separated: {string.Join(", ", AclCategories.All)}.",
        HelpName = "@cat,...",
    };

    private static IReadOnlyList<string> Categories(string? list) =>
        list is null ? [] : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
