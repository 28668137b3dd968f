using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Insight;
using Tessera.Store;

namespace Tessera.Controller.Alerts;

/// <summary>
/// The alert documents in the store: the settings (rules and webhooks; <see cref="AlertSettings.Defaults"/> until
/// first changed) and the alerts pending and firing as the leader last evaluated them, so a new leader neither
/// fires again what already fired nor forgets to resolve it.
/// </summary>
internal sealed class AlertRepository
{
    private readonly ICoordinatorStore _store;

    public AlertRepository(ICoordinatorStore store)
    {
        _store = store;
    }

    public async Task<AlertSettings> GetSettingsAsync(CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(StorePaths.AlertSettings, cancellationToken).ConfigureAwait(false);
        return record is null ? AlertSettings.Defaults : JsonSerializer.Deserialize<AlertSettings>(record.Value, TesseraJson.Options) ?? AlertSettings.Defaults;
    }

    /// <summary>Applies <paramref name="change"/> to the stored settings with compare-and-set; the settings stored.</summary>
    /// <exception cref="OperationRefusedException">The change leaves settings that are not usable (400, naming what), or the store kept changing (409).</exception>
    public async Task<AlertSettings> UpdateAsync(Func<AlertSettings, AlertSettings> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var record = await _store.GetAsync(StorePaths.AlertSettings, cancellationToken).ConfigureAwait(false);
            var current = record is null ? AlertSettings.Defaults : JsonSerializer.Deserialize<AlertSettings>(record.Value, TesseraJson.Options) ?? AlertSettings.Defaults;
            var next = change(current);
            if (next.Problems() is { Count: > 0 } problems)
            {
                throw OperationRefusedException.BadRequest(string.Join("; ", problems));
            }

            var json = JsonSerializer.Serialize(next, TesseraJson.Options);
            var stored = record is null
                ? await _store.CreateAsync(StorePaths.AlertSettings, json, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await _store.CompareAndSetAsync(StorePaths.AlertSettings, json, record.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (stored)
            {
                return next;
            }
        }

        throw OperationRefusedException.Conflict("the alert settings kept changing while this change was applied; try again");
    }

    public async Task<IReadOnlyList<ActiveAlert>> GetActiveAsync(CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(StorePaths.ActiveAlerts, cancellationToken).ConfigureAwait(false);
        return record is null ? [] : JsonSerializer.Deserialize<ActiveAlertList>(record.Value, TesseraJson.Options)?.Alerts ?? [];
    }

    public Task SaveActiveAsync(IReadOnlyList<ActiveAlert> alerts, CancellationToken cancellationToken) =>
        _store.PutAsync(StorePaths.ActiveAlerts, JsonSerializer.Serialize(new ActiveAlertList(alerts), TesseraJson.Options), cancellationToken: cancellationToken);

    private sealed record ActiveAlertList(IReadOnlyList<ActiveAlert> Alerts);
}
