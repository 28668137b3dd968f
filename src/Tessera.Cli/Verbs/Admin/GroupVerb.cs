using System.CommandLine;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera group create|add|zone|remove-server|remove</c>.</summary>
internal static class GroupVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        return new Command("group", "Create groups (one master + replicas) and add or remove their redis-servers.")
        {
            controller,
            CreateVerb(controller),
            AddVerb(controller),
            RemoveServerVerb(controller),
            ZoneVerb(controller),
            RemoveVerb(controller),
            GroupPromoteVerb.Create(controller),
        }.WithEpilog("""
            Examples:
              tessera group create default 1
              tessera group add default 1 127.0.0.1:7001              first server: the master
              tessera group add default 1 127.0.0.1:7002 --zone b     later ones: replicas (REPLICAOF)
              tessera group zone default 1 127.0.0.1:7002 eu-west-1b
              tessera group remove-server default 1 127.0.0.1:7002
              tessera group remove default 1
            """);
    }

    private static Command ZoneVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var group = GroupArgument();
        var server = ServerArgument();
        var zone = new Argument<string?>("zone") { Description = "The zone label (e.g. eu-west-1a); leave it out to remove the server's zone.", Arity = ArgumentArity.ZeroOrOne };
        var json = AdminOptions.Json();
        var command = new Command("zone", "Set or remove the zone label of a server of a group (used by nearest-replica reads).") { ns, group, server, zone, json }
            .WithEpilog("""
                Proxies started with --zone send a namespace's reads in read mode nearest to fresh replicas of their own
                zone first (tessera namespace set NS --read-mode nearest).

                Example:
                  tessera group zone default 1 127.0.0.1:7002 eu-west-1b
                  tessera group zone default 1 127.0.0.1:7002             (removes it)
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.SetServerZoneAsync(parse.GetValue(ns)!, parse.GetValue(group), parse.GetValue(server)!, parse.GetValue(zone), ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }

    private static Command CreateVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var group = GroupArgument();
        var json = AdminOptions.Json();
        var command = new Command("create", "Create an empty group in a namespace.") { ns, group, json }
            .WithEpilog("""
                Example:
                  tessera group create default 1
                  tessera group add default 1 127.0.0.1:7001
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.CreateGroupAsync(parse.GetValue(ns)!, parse.GetValue(group), ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }

    private static Command AddVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var group = GroupArgument();
        var server = ServerArgument();
        var zone = new Option<string?>("--zone")
        {
            Description = "Zone label of the server (e.g. eu-west-1a), for nearest-replica reads.",
            HelpName = "zone",
        };
        var json = AdminOptions.Json();
        var command = new Command("add", "Add a redis-server to a group: the first becomes its master, later ones its replicas.") { ns, group, server, zone, json }
            .WithEpilog("""
                The server must answer PING. A master must not be a replica of anything; a new replica is made one with
                REPLICAOF <master-host> <master-port> and must hold no keys (they would be erased). A server belongs
                to one group of one namespace only.

                Example:
                  tessera group add default 1 127.0.0.1:7001
                  tessera group add default 1 127.0.0.1:7002 --zone b
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.AddServerAsync(parse.GetValue(ns)!, parse.GetValue(group), parse.GetValue(server)!, parse.GetValue(zone), ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }

    private static Command RemoveServerVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var group = GroupArgument();
        var server = ServerArgument();
        var json = AdminOptions.Json();
        var command = new Command("remove-server", "Take a redis-server out of its group (a replica is detached with REPLICAOF NO ONE).") { ns, group, server, json }
            .WithEpilog("""
                A replica can always leave; it keeps its data and stops replicating. The master can leave only
                when the group has no replicas and no slots.

                Example:
                  tessera group remove-server default 1 127.0.0.1:7002
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.RemoveServerAsync(parse.GetValue(ns)!, parse.GetValue(group), parse.GetValue(server)!, ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }

    private static Command RemoveVerb(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var group = GroupArgument();
        var json = AdminOptions.Json();
        var command = new Command("remove", "Remove a group that serves no slots; its servers keep running as they are.") { ns, group, json }
            .WithEpilog("""
                Example:
                  tessera group remove default 3
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.RemoveGroupAsync(parse.GetValue(ns)!, parse.GetValue(group), ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }

    internal static Argument<int> GroupArgument() => new("group")
    {
        Description = "Group id, a positive integer (1, 2, …).",
    };

    private static Argument<string> ServerArgument() => new("server")
    {
        Description = "The redis-server as host:port, e.g. 127.0.0.1:7001.",
    };
}
