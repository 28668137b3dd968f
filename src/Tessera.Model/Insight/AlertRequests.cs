namespace Tessera.Model.Insight;

/// <summary>POST /api/alerts/webhooks: add (or with <see cref="Remove"/>, remove) one webhook URL.</summary>
public sealed record WebhookChange(string Url, bool Remove = false);

/// <summary>GET /api/alerts: the active alerts and whether this answer comes from the leader's last evaluation.</summary>
public sealed record AlertsView
{
    public DateTimeOffset? EvaluatedAt { get; init; }

    public IReadOnlyList<ActiveAlert> Alerts { get; init; } = [];
}
