using System.CommandLine;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera group promote NS GID HOST:PORT</c>: a replica becomes its group's master by the failover's own path.</summary>
internal static class GroupPromoteVerb
{
    public static Command Create(Option<Uri> controller)
    {
        var ns = NamespaceVerb.NameArgument();
        var group = GroupVerb.GroupArgument();
        var server = new Argument<string>("server")
        {
            Description = "The replica to promote, as host:port, e.g. 127.0.0.1:7002.",
        };
        var json = AdminOptions.Json();
        var command = new Command("promote", "Make a replica its group's master (switchover when the master is alive, failover when it is not).") { ns, group, server, json }
            .WithEpilog("""
                The group's slots are locked (proxies hold requests for them), the replica is made master with
                REPLICAOF NO ONE, the other replicas follow it, and the new master is committed and pushed, so held
                requests resume on it. When the old master still answers, its writes are paused (CLIENT PAUSE WRITE)
                and the replica catches up first, so no acknowledged write is lost; the old master then becomes a
                replica of the new one. Each step is recorded: see `tessera events`.

                Example:
                  tessera group promote default 1 127.0.0.1:7002
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            AdminRun.WriteChange(output, await client.PromoteAsync(parse.GetValue(ns)!, parse.GetValue(group), parse.GetValue(server)!, ct).ConfigureAwait(false), parse.GetValue(json)), cancel));
        return command;
    }
}
