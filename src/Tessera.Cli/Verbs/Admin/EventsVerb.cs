using System.CommandLine;
using System.Globalization;
using Tessera.Cli.Hosting;
using Tessera.Controller.Events;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera events</c>: what the controllers saw and did about server health, oldest first.</summary>
internal static class EventsVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var json = AdminOptions.Json();
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"How many of the newest events to show (1–{ControllerEvent.Kept}).",
            HelpName = "count",
            DefaultValueFactory = _ => 50,
        };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > ControllerEvent.Kept)
            {
                result.AddError($"--limit must be between 1 and {ControllerEvent.Kept}");
            }
        });
        var command = new Command("events", "Show failure detection and failover events: servers going down, votes, promotions, old masters rejoining.") { controller, limit, json }
            .WithEpilog($"""
                Each line: time (UTC), the controller that recorded it, the kind, and what happened. Kinds: vote (one
                controller sees a master down), objectively-down (a majority agrees), failover, promoted, demoted and
                rejoined (the old master back as a replica), no-replica (a group that cannot fail over), replica
                (a replica unfit for reads, or fit again), repointed, up, failover-failed. The store keeps the newest {ControllerEvent.Kept}.

                Example:
                  tessera events
                  tessera events --limit 200 --json | jq '.[] | select(.kind == "promoted")'
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var events = await client.ListEventsAsync(parse.GetValue(limit), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(events);
                return;
            }

            if (events.Count == 0)
            {
                output.Line("No events yet: they appear when a server goes down, a failover runs or an old master rejoins.");
                return;
            }

            foreach (var recorded in events)
            {
                output.Line(Format(recorded));
            }
        }, cancel));
        return command;
    }

    /// <summary>"2025-06-01 12:00:03.123  ctl-a  promoted  127.0.0.1:7002 is now the master of group 2 …".</summary>
    internal static string Format(ControllerEvent recorded) =>
        string.Create(CultureInfo.InvariantCulture, $"{recorded.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}  {recorded.Controller}  {recorded.Kind}  {recorded.Message}");
}
