using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.Controller.Alerts;
using Tessera.Model.Api;
using Tessera.Model.Insight;

namespace Tessera.Controller.Api;

/// <summary>
/// The insight routes of the controller API (architecture §12): health scores, top lists and active alerts, which the
/// leader computes (a standby answers 503 naming it, and the CLI follows), and the alert rules and webhooks, kept in
/// the store (any controller changes them). Reads need a viewer token, changes an operator's, as everywhere; webhook
/// URLs are shown as scheme, host and port only, since receivers often carry their secret in the path.
/// </summary>
internal static class InsightApi
{
    public static void Map(WebApplication app, ControllerContext controller)
    {
        app.MapGet(ControllerRoutes.HealthScores, () => ApiBodies.Json(Leading(controller).Current.Scores));
        app.MapGet(ControllerRoutes.Top, () => ApiBodies.Json(Leading(controller).Current.Top));
        app.MapGet(ControllerRoutes.Alerts, () =>
        {
            var view = Leading(controller).Current;
            return ApiBodies.Json(new AlertsView { EvaluatedAt = view.Round?.Time, Alerts = controller.AlertEvaluator.Active });
        });

        app.MapGet(ControllerRoutes.AlertRules, async (CancellationToken aborted) =>
            ApiBodies.Json(Masked(await controller.AlertRepository.GetSettingsAsync(aborted).ConfigureAwait(false))));
        app.MapGet(ControllerRoutes.AlertRuleFile, async (CancellationToken aborted) =>
            Results.Text(PrometheusRuleFile.Write(await controller.AlertRepository.GetSettingsAsync(aborted).ConfigureAwait(false)), "application/yaml"));
        app.MapPut(ControllerRoutes.AlertRule, async (HttpContext http, string name) =>
        {
            var rule = await ApiBodies.ReadAsync<AlertRule>(http, """{"name": "memory-high", "metric": "memory_used_ratio", "op": ">=", "threshold": 0.9, "forSeconds": 300}""").ConfigureAwait(false);
            if (rule.Name != name)
            {
                throw OperationRefusedException.BadRequest($"the rule in the body is named '{rule.Name}' but the path names '{name}': they must agree");
            }

            var stored = await controller.AlertRepository.UpdateAsync(
                s => s with { Rules = [.. s.Rules.Where(r => r.Name != name), rule] },
                http.RequestAborted).ConfigureAwait(false);
            return ApiBodies.Json(Masked(stored));
        });
        app.MapDelete(ControllerRoutes.AlertRule, async (HttpContext http, string name) =>
        {
            var current = await controller.AlertRepository.GetSettingsAsync(http.RequestAborted).ConfigureAwait(false);
            if (current.Rules.All(r => r.Name != name))
            {
                throw OperationRefusedException.NotFound($"there is no alert rule '{name}'; `tessera alert rules` lists them");
            }

            var stored = await controller.AlertRepository.UpdateAsync(s => s with { Rules = [.. s.Rules.Where(r => r.Name != name)] }, http.RequestAborted).ConfigureAwait(false);
            return ApiBodies.Json(Masked(stored));
        });
        app.MapPost(ControllerRoutes.AlertWebhooks, async (HttpContext http) =>
        {
            var change = await ApiBodies.ReadAsync<WebhookChange>(http, """{"url": "https://hooks.example.com/tessera"}""").ConfigureAwait(false);
            var current = await controller.AlertRepository.GetSettingsAsync(http.RequestAborted).ConfigureAwait(false);
            if (change.Remove && !current.Webhooks.Contains(change.Url, StringComparer.Ordinal))
            {
                throw OperationRefusedException.NotFound($"no webhook has that URL; `tessera alert rules` shows them (masked)");
            }

            var stored = await controller.AlertRepository.UpdateAsync(
                s => s with { Webhooks = change.Remove ? [.. s.Webhooks.Where(w => w != change.Url)] : [.. s.Webhooks.Where(w => w != change.Url), change.Url] },
                http.RequestAborted).ConfigureAwait(false);
            return ApiBodies.Json(Masked(stored));
        });
    }

    private static Insight.InsightSampler Leading(ControllerContext controller) =>
        controller.Election.IsLeader ? controller.Insight : throw controller.Operations.Standby();

    /// <summary>The settings with each webhook reduced to "https://host:port/…".</summary>
    public static AlertSettings Masked(AlertSettings settings) => settings with
    {
        Webhooks = [.. settings.Webhooks.Select(static w => Uri.TryCreate(w, UriKind.Absolute, out var url) ? $"{url.Scheme}://{url.Authority}/…" : "…")],
    };
}
