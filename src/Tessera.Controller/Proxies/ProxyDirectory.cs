using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Store;

namespace Tessera.Controller.Proxies;

/// <summary>
/// The proxies registered in the store: each one an ephemeral <see cref="ProxyRecord"/> under
/// <see cref="StorePaths.Proxies"/>, alive exactly as long as its lease.
/// </summary>
internal sealed class ProxyDirectory
{
    private readonly ICoordinatorStore _store;
    private readonly ILogger _logger;

    public ProxyDirectory(ICoordinatorStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>Every registered proxy, sorted by id. A record that cannot be read is logged and left out.</summary>
    public async Task<IReadOnlyList<ProxyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Proxies, cancellationToken).ConfigureAwait(false);
        var proxies = new List<ProxyRecord>(listing.Count);
        foreach (var record in listing)
        {
            if (!StorePaths.TryGetChildName(StorePaths.Proxies, record.Key, out _))
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize<ProxyRecord>(record.Value, TesseraJson.Options) is { } proxy)
                {
                    proxies.Add(proxy);
                }
            }
            catch (JsonException e)
            {
                _logger.LogWarning("Ignoring the proxy registration {Key}: it is not a proxy record ({Problem}).", record.Key, e.Message);
            }
        }

        return proxies;
    }

    /// <summary>True while the proxy's registration (and so its lease) exists.</summary>
    public async Task<bool> IsRegisteredAsync(string proxyId, CancellationToken cancellationToken) =>
        await _store.GetAsync(StorePaths.Proxy(proxyId), cancellationToken).ConfigureAwait(false) is not null;
}
