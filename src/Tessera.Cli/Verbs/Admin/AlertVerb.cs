using System.CommandLine;
using System.Globalization;
using Tessera.Cli.Hosting;
using Tessera.Controller.Alerts;
using Tessera.Metrics;
using Tessera.Model.Insight;

namespace Tessera.Cli.Verbs.Admin;

/// <summary><c>tessera alert list|rules|set|remove|webhook|export</c>: the leader's alert rules, what fires, where it is posted.</summary>
internal static class AlertVerb
{
    public static Command Create()
    {
        var controller = AdminOptions.Controller();
        var command = new Command("alert", "Alert rules evaluated by the leading controller: what fires now, the rules, the webhooks that are told, and the same rules for Prometheus.")
        {
            controller,
            ListVerb(controller),
            RulesVerb(controller),
            SetVerb(controller),
            RemoveVerb(controller),
            WebhookVerb(controller),
            ExportVerb(controller),
        }.WithEpilog($"""
            A rule compares one value with a threshold for a duration, optionally for one namespace or group. Values:
            {string.Join("\n", AlertMetrics.All.Values.Select(static m => $"  {m.Name,-26} {m.Description}"))}
            The leader evaluates the rules after each insight round (every 5 s by default). A series that meets its
            rule for the rule's duration fires: an alert-firing event (tessera events) and a POST to every webhook in
            Alertmanager's webhook format; it resolves the same way. A new cluster starts with a default set of rules.

            Examples:
              tessera alert list
              tessera alert set memory-high --metric memory_used_ratio --op '>=' --threshold 0.9 --for 300 --severity warning
              tessera alert set shop-errors --metric error_ratio --op '>' --threshold 0.01 --for 60 --namespace shop
              tessera alert webhook add https://hooks.example.com/tessera
              tessera alert export --format prometheus > tessera-rules.yml && promtool check rules tessera-rules.yml
              tessera alert export --format grafana > tessera-dashboard.json
            """);
        return command;
    }

    private static Command ListVerb(Option<Uri> controller)
    {
        var json = AdminOptions.Json();
        var command = new Command("list", "Show the alerts firing and pending now (pending: the condition holds, its duration has not passed yet).") { json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var view = await client.ListAlertsAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(view);
                return;
            }

            if (view.Alerts.Count == 0)
            {
                output.Line(view.EvaluatedAt is null
                    ? "No alerts: the leader has not evaluated the rules yet (it does after its first insight round)."
                    : $"No alerts firing or pending (evaluated {view.EvaluatedAt.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC).");
                return;
            }

            output.Table(
                ["STATE", "RULE", "SEVERITY", "SERIES", "VALUE", "SINCE (UTC)"],
                view.Alerts.Select(static a => (IReadOnlyList<string>)
                [
                    a.Firing ? "firing" : "pending", a.Rule, a.Severity,
                    string.Join(" ", a.Labels.OrderBy(static l => l.Key, StringComparer.Ordinal).Select(static l => $"{l.Key}={l.Value}")),
                    a.Value.ToString("G4", CultureInfo.InvariantCulture), a.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                ]));
        }, cancel));
        return command;
    }

    private static Command RulesVerb(Option<Uri> controller)
    {
        var json = AdminOptions.Json();
        var command = new Command("rules", "Show the alert rules and the webhooks (shown as scheme://host:port/… only).") { json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var settings = await client.GetAlertSettingsAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(settings);
                return;
            }

            output.Table(
                ["RULE", "SEVERITY", "CONDITION", "SUMMARY"],
                settings.Rules.Select(static r => (IReadOnlyList<string>)[r.Name, r.Severity, r.Describe(), r.Summary ?? ""]));
            output.Line();
            output.Line(settings.Webhooks.Count == 0
                ? "Webhooks: none (add one with `tessera alert webhook add URL`)."
                : "Webhooks: " + string.Join(", ", settings.Webhooks));
        }, cancel));
        return command;
    }

    private static Command SetVerb(Option<Uri> controller)
    {
        var name = new Argument<string>("name") { Description = "The rule's name (letters, digits, '-', '_'); an existing rule of that name is replaced." };
        var metric = new Option<string>("--metric") { Description = "The value compared (see `tessera alert --help`).", Required = true, HelpName = "value" };
        metric.AcceptOnlyFromAmong([.. AlertMetrics.All.Keys]);
        var op = new Option<string>("--op") { Description = "The comparison: >, >=, <, <=, == or !=.", Required = true, HelpName = "op" };
        op.AcceptOnlyFromAmong(">", ">=", "<", "<=", "==", "!=");
        var threshold = new Option<double>("--threshold") { Description = "The number the value is compared with.", Required = true, HelpName = "number" };
        var duration = new Option<double>("--for") { Description = "Seconds the condition must hold before the alert fires (default 0: at once).", HelpName = "seconds" };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Only this namespace's series.", HelpName = "namespace" };
        var group = new Option<int?>("--group") { Description = "Only this group's series (values with a group label).", HelpName = "id" };
        var severity = new Option<string>("--severity") { Description = "critical, warning or info (default warning).", DefaultValueFactory = _ => "warning", HelpName = "level" };
        severity.AcceptOnlyFromAmong("critical", "warning", "info");
        var summary = new Option<string?>("--summary") { Description = "What it means, for whoever is paged.", HelpName = "text" };
        var json = AdminOptions.Json();
        var command = new Command("set", "Add or replace an alert rule.") { name, metric, op, threshold, duration, ns, group, severity, summary, json }
            .WithEpilog("""
                Example:
                  tessera alert set replica-lag --metric replica_lag_seconds --op '>' --threshold 5 --for 30 --severity critical
                """);
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var rule = new AlertRule
            {
                Name = parse.GetValue(name)!,
                Metric = parse.GetValue(metric)!,
                Op = parse.GetValue(op)!,
                Threshold = parse.GetValue(threshold),
                ForSeconds = parse.GetValue(duration),
                Namespace = parse.GetValue(ns),
                Group = parse.GetValue(group),
                Severity = parse.GetValue(severity)!,
                Summary = parse.GetValue(summary),
            };
            var settings = await client.SetAlertRuleAsync(rule, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(settings);
                return;
            }

            output.Line($"Rule '{rule.Name}' set: {rule.Describe()}. The leader evaluates it from its next round.");
        }, cancel));
        return command;
    }

    private static Command RemoveVerb(Option<Uri> controller)
    {
        var name = new Argument<string>("name") { Description = "The rule to remove (see `tessera alert rules`); its firing alerts resolve." };
        var json = AdminOptions.Json();
        var command = new Command("remove", "Remove an alert rule.") { name, json };
        command.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
        {
            var settings = await client.RemoveAlertRuleAsync(parse.GetValue(name)!, ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                output.Json(settings);
                return;
            }

            output.Line($"Rule '{parse.GetValue(name)}' removed; {settings.Rules.Count} rules left.");
        }, cancel));
        return command;
    }

    private static Command WebhookVerb(Option<Uri> controller)
    {
        var command = new Command("webhook", "Add or remove a URL that gets a POST (Alertmanager's webhook JSON) when an alert fires or resolves.");
        foreach (var remove in new[] { false, true })
        {
            var url = new Argument<string>("url") { Description = "An http:// or https:// URL." };
            var json = AdminOptions.Json();
            var verb = new Command(remove ? "remove" : "add", remove ? "Stop posting to a webhook URL." : "Post firing and resolved alerts to a URL.") { url, json };
            verb.SetAction((parse, cancel) => AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
            {
                var settings = await client.ChangeAlertWebhookAsync(parse.GetValue(url)!, remove, ct).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    output.Json(settings);
                    return;
                }

                output.Line($"{(remove ? "Removed" : "Added")} the webhook; {settings.Webhooks.Count} webhook(s) now.");
            }, cancel));
            command.Add(verb);
        }

        return command;
    }

    private static Command ExportVerb(Option<Uri> controller)
    {
        var format = new Option<string>("--format") { Description = "prometheus: the rules as a Prometheus rule file; grafana: a dashboard of the metrics (needs no controller).", Required = true, HelpName = "format" };
        format.AcceptOnlyFromAmong("prometheus", "grafana");
        var command = new Command("export", "Print the rules as a Prometheus rule file, or a Grafana dashboard for the metrics.") { format }
            .WithEpilog("""
                Examples:
                  tessera alert export --format prometheus > /etc/prometheus/rules/tessera.yml
                  tessera alert export --format grafana > tessera-dashboard.json   (Grafana: Dashboards → Import)
                """);
        command.SetAction((parse, cancel) =>
        {
            if (parse.GetValue(format) == "grafana")
            {
                parse.InvocationConfiguration.Output.Write(GrafanaDashboard.Write());
                return Task.FromResult(ExitCodes.Ok);
            }

            return AdminRun.RunAsync(parse, controller, async (client, output, ct) =>
                output.Line(PrometheusRuleFile.Write(await client.GetAlertSettingsAsync(ct).ConfigureAwait(false)).TrimEnd('\n')), cancel);
        });
        return command;
    }
}
