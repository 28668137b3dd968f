using System.Net.Http.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tessera.Model.Insight;

namespace Tessera.Controller.Alerts;

/// <summary>
/// Posts firing and resolved alerts to the webhooks, in Alertmanager's webhook format (version 4), so receivers
/// written for Alertmanager (chat bridges, pagers) take them as they are. One background sender: the evaluation never
/// waits for a receiver; each call is bounded (5 s) and retried twice, a queue of more than 1,000 drops the oldest
/// (logged), and a receiver that keeps failing costs its own calls only.
/// </summary>
internal sealed class AlertWebhooks : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Channel<(string Url, WebhookPayload Payload)> _queue = Channel.CreateBounded<(string, WebhookPayload)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly Task _sender;

    public AlertWebhooks(ILogger logger)
    {
        _logger = logger;
        _sender = Task.Run(() => SendAsync(_stop.Token));
    }

    /// <summary>The controller's URL, for the payload's externalURL.</summary>
    public string ControllerUrl { get; set; } = "";

    public void Post(IEnumerable<string> urls, ActiveAlert alert, bool resolved, DateTimeOffset now)
    {
        var labels = new Dictionary<string, string>(alert.Labels, StringComparer.Ordinal) { ["alertname"] = alert.Rule, ["severity"] = alert.Severity };
        var item = new WebhookAlert(
            resolved ? "resolved" : "firing",
            labels,
            new Dictionary<string, string> { ["summary"] = alert.Summary ?? alert.Rule, ["value"] = alert.Value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture) },
            alert.FiredAt ?? alert.Since,
            resolved ? now : DateTimeOffset.MinValue,
            ControllerUrl);
        var payload = new WebhookPayload("4", item.Status, "tessera", alert.Key, labels, labels, new Dictionary<string, string>(), ControllerUrl, [item]);
        foreach (var url in urls)
        {
            _queue.Writer.TryWrite((url, payload));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sender.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task SendAsync(CancellationToken stop)
    {
        await foreach (var (url, payload) in _queue.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            for (var attempt = 1; attempt <= 3; attempt++)
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(stop);
                bound.CancelAfter(CallTimeout);
                try
                {
                    using var response = await _http.PostAsJsonAsync(url, payload, bound.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }

                    _logger.LogWarning("The alert webhook {Url} answered {Status} for {Alert} (attempt {Attempt} of 3)", url, (int)response.StatusCode, payload.GroupKey, attempt);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !stop.IsCancellationRequested)
                {
                    _logger.LogWarning("The alert webhook {Url} failed for {Alert}: {Problem} (attempt {Attempt} of 3)", url, payload.GroupKey, e is OperationCanceledException ? $"no answer within {CallTimeout.TotalSeconds:0} s" : e.Message, attempt);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), stop).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Alertmanager's webhook body (version 4).</summary>
internal sealed record WebhookPayload(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("receiver")] string Receiver,
    [property: JsonPropertyName("groupKey")] string GroupKey,
    [property: JsonPropertyName("groupLabels")] IReadOnlyDictionary<string, string> GroupLabels,
    [property: JsonPropertyName("commonLabels")] IReadOnlyDictionary<string, string> CommonLabels,
    [property: JsonPropertyName("commonAnnotations")] IReadOnlyDictionary<string, string> CommonAnnotations,
    [property: JsonPropertyName("externalURL")] string ExternalUrl,
    [property: JsonPropertyName("alerts")] IReadOnlyList<WebhookAlert> Alerts);

/// <summary>One alert of a webhook body.</summary>
internal sealed record WebhookAlert(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset EndsAt,
    [property: JsonPropertyName("generatorURL")] string GeneratorUrl);
