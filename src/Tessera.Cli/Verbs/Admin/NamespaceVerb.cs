using System.CommandLine;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera namespace create|list|set|remove</c>.</summary>
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
        }.WithEpilog("""
            Examples:
              tessera namespace create shop
              tessera namespace list
              tessera namespace set shop --allow-flush true
              tessera namespace remove shop
            """);
        return command;
    }

    private static Command CreateVerb(Option<Uri> controller)
    {
        var name = NameArgument();
        var json = AdminOptions.Json();
        var command = new Command("create", "Create an empty namespace; then add groups and assign its slots.") { name, json }
            .WithEpilog("""
                Names are 1-64 letters, digits, '-', '_' or '.'. A client that does not AUTH uses the namespace "default".

                Example:
                  tessera namespace create default
                  tessera group create default 1
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.CreateNamespaceAsync(parse.GetValue(name)!, ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
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
                ["NAMESPACE", "EPOCH", "GROUPS", "SERVERS", "SLOTS ASSIGNED", "FLUSH"],
                namespaces.Select(static n => (IReadOnlyList<string>)
                [
                    n.Name,
                    n.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    n.Groups.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    n.Groups.Sum(static g => (g.Master.Length > 0 ? 1 : 0) + g.Replicas.Count).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"{n.Slots.Sum(static r => r.To - r.From + 1)}/1024",
                    n.AllowFlush ? "allowed" : "refused",
                ]));
        }, cancel));
        return command;
    }

    private static Command SetVerb(Option<Uri> controller)
    {
        var name = NameArgument();
        var allowFlush = new Option<bool?>("--allow-flush")
        {
            Description = "true: FLUSHDB/FLUSHALL through the proxies empty every group of the namespace; false (the default for a new namespace): they are refused.",
            HelpName = "true|false",
        };
        var json = AdminOptions.Json();
        var command = new Command("set", "Change a namespace's settings; running proxies apply them at once.") { name, allowFlush, json }
            .WithEpilog("""
                Example:
                  tessera namespace set default --allow-flush true
                """);
        command.SetAction((parse, cancel) =>
        {
            if (parse.GetValue(allowFlush) is null)
            {
                parse.InvocationConfiguration.Error.WriteLine("error: nothing to change: give a setting, e.g. --allow-flush true (see `tessera namespace set --help`)");
                return Task.FromResult(ExitCodes.Usage);
            }

            return AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
                AdminRun.WriteChange(output, await client.UpdateNamespaceAsync(parse.GetValue(name)!, new Model.Api.UpdateNamespaceRequest(parse.GetValue(allowFlush)), ct).ConfigureAwait(false), parse.GetValue(json)), cancel);
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

    internal static Argument<string> NameArgument() => new("namespace")
    {
        Description = "Namespace name, e.g. default.",
    };
}
