using System.Globalization;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Events;
using Tessera.Controller.Insight;
using Tessera.Controller.Metrics;
using Tessera.Model.Insight;

namespace Tessera.Controller.Alerts;

/// <summary>
/// Evaluates the alert rules against each insight round on the leader (architecture §12). A series that meets its
/// rule's condition is pending from that round; once it has held for the rule's duration it fires: an
/// <see cref="EventKinds.AlertFiring"/> event and a webhook call. When it no longer holds (or its series or rule is
/// gone) a firing alert resolves the same way. The active alerts are written to the store when they change, and a
/// new leader starts from them.
/// </summary>
internal sealed class AlertEvaluator
{
    private readonly AlertRepository _repository;
    private readonly EventLog _events;
    private readonly AlertWebhooks _webhooks;
    private readonly ControllerMetrics _metrics;
    private readonly ILogger _logger;
    private Dictionary<string, ActiveAlert>? _active;

    public AlertEvaluator(AlertRepository repository, EventLog events, AlertWebhooks webhooks, ControllerMetrics metrics, ILogger logger)
    {
        _repository = repository;
        _events = events;
        _webhooks = webhooks;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The alerts pending and firing as of the last evaluation on this controller (empty when it does not lead).</summary>
    public IReadOnlyList<ActiveAlert> Active => [.. (Volatile.Read(ref _active) ?? []).Values.OrderBy(static a => a.Key, StringComparer.Ordinal)];

    /// <summary>Forgets this term's state: the next leader (maybe this one again) starts from the store.</summary>
    public void LeadershipLost()
    {
        Volatile.Write(ref _active, null);
        _metrics.AlertsFiring([]);
    }

    public async Task EvaluateAsync(InsightView view, CancellationToken cancellationToken)
    {
        if (view.Round is not { } round)
        {
            return;
        }

        var active = _active ?? (await _repository.GetActiveAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(static a => a.Key, StringComparer.Ordinal);
        var settings = await _repository.GetSettingsAsync(cancellationToken).ConfigureAwait(false);
        var now = round.Time;
        var next = new Dictionary<string, ActiveAlert>(StringComparer.Ordinal);
        var fired = new List<ActiveAlert>();
        foreach (var rule in settings.Rules)
        {
            foreach (var series in view.Series.Where(s => s.Metric == rule.Metric && Matches(rule, s.Labels) && rule.Holds(s.Value)))
            {
                var key = ActiveAlert.Keyed(rule.Name, series.Labels);
                var alert = active.TryGetValue(key, out var known)
                    ? known with { Value = series.Value, Severity = rule.Severity, Summary = rule.Summary }
                    : new ActiveAlert { Rule = rule.Name, Severity = rule.Severity, Labels = series.Labels, Value = series.Value, Since = now, Summary = rule.Summary };
                if (!alert.Firing && (now - alert.Since).TotalSeconds >= rule.ForSeconds)
                {
                    alert = alert with { FiredAt = now };
                    fired.Add(alert);
                }

                next[key] = alert;
            }
        }

        var resolved = active.Values.Where(a => a.Firing && !next.ContainsKey(a.Key)).ToList();
        bool changed = fired.Count > 0 || resolved.Count > 0 || !next.Keys.ToHashSet().SetEquals(active.Keys);
        Volatile.Write(ref _active, next);
        _metrics.AlertsFiring(next.Values.Where(static a => a.Firing).GroupBy(static a => (a.Rule, a.Severity)).Select(static g => (g.Key.Rule, g.Key.Severity, g.Count())));
        if (changed)
        {
            try
            {
                await _repository.SaveActiveAsync([.. next.Values], cancellationToken).ConfigureAwait(false);
            }
            catch (Store.CoordinatorStoreException e)
            {
                _logger.LogWarning("The active alerts could not be stored ({Problem}); a new leader may fire them again", e.Message);
            }
        }

        foreach (var alert in fired)
        {
            await _events.RecordAsync(EventKinds.AlertFiring, Describe(alert, "firing"), Label(alert, "namespace"), Group(alert), Label(alert, "server") ?? Label(alert, "replica"), cancellationToken).ConfigureAwait(false);
            _webhooks.Post(settings.Webhooks, alert, resolved: false, now);
        }

        foreach (var alert in resolved)
        {
            await _events.RecordAsync(EventKinds.AlertResolved, Describe(alert, "resolved"), Label(alert, "namespace"), Group(alert), Label(alert, "server") ?? Label(alert, "replica"), cancellationToken).ConfigureAwait(false);
            _webhooks.Post(settings.Webhooks, alert, resolved: true, now);
        }
    }

    private static bool Matches(AlertRule rule, IReadOnlyDictionary<string, string> labels) =>
        (rule.Namespace is null || labels.GetValueOrDefault("namespace") == rule.Namespace)
        && (rule.Group is null || labels.GetValueOrDefault("group") == rule.Group.Value.ToString(CultureInfo.InvariantCulture));

    private static string Describe(ActiveAlert alert, string what) => string.Create(CultureInfo.InvariantCulture,
        $"{alert.Rule} {what} ({string.Join(", ", alert.Labels.OrderBy(static l => l.Key, StringComparer.Ordinal).Select(static l => l.Key + "=" + l.Value))}; value {alert.Value:G6}){(alert.Summary is null ? "" : ": " + alert.Summary)}");

    private static string? Label(ActiveAlert alert, string name) => alert.Labels.GetValueOrDefault(name);

    private static int? Group(ActiveAlert alert) => int.TryParse(Label(alert, "group"), CultureInfo.InvariantCulture, out var g) ? g : null;
}
