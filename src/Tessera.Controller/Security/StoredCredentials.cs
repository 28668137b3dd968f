using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Security;
using Tessera.Store;

namespace Tessera.Controller.Security;

/// <summary>
/// The tokens and the cluster secret as this controller knows them, so checking a request is one hash and one
/// dictionary lookup. Loaded at start and reloaded on every change under <see cref="StorePaths.Security"/> (a
/// watch), so a token revoked through any controller stops working here as soon as the store reports it; the
/// controller that revokes reloads at once.
/// </summary>
/// <remarks>The <see cref="CredentialSet"/> is immutable and swapped whole: one volatile read per request.</remarks>
internal sealed class StoredCredentials : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly ICoordinatorStore _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private CredentialSet _current = CredentialSet.Empty;
    private Task _watch = Task.CompletedTask;

    public StoredCredentials(ICoordinatorStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>The cluster secret, or null before it was read.</summary>
    public string? ClusterSecret => Current.ClusterSecret;

    /// <summary>Makes sure the store has a cluster secret (create-if-absent), loads everything and starts following changes.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(StorePaths.ClusterSecret, cancellationToken).ConfigureAwait(false) is null)
        {
            // Of two controllers starting together, one creates it; the other's create fails and it reads the winner's.
            var document = JsonSerializer.Serialize(new ClusterSecretDocument(TokenSecrets.NewSecret()), TesseraJson.Options);
            await _store.CreateAsync(StorePaths.ClusterSecret, document, lease: null, cancellationToken).ConfigureAwait(false);
        }

        var revision = await ReloadAsync(cancellationToken).ConfigureAwait(false);
        _watch = WatchLoopAsync(revision + 1, _stop.Token);
    }

    /// <summary>The tokens and the cluster secret as last read.</summary>
    public CredentialSet Current => Volatile.Read(ref _current);

    /// <summary>Reads the tokens and the cluster secret again; returns the store revision the token listing reflects.</summary>
    public async Task<long> ReloadAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Tokens, cancellationToken).ConfigureAwait(false);
        var records = listing.Where(static r => StorePaths.TryGetChildName(StorePaths.Tokens, r.Key, out _)).Select(static r => KeyValuePair.Create(r.Key, r.Value));
        var secret = await _store.GetAsync(StorePaths.ClusterSecret, cancellationToken).ConfigureAwait(false);
        var read = CredentialSet.From(records, secret?.Value, (key, problem) => _logger.LogWarning("The security record {Key} grants nothing: {Problem}.", key, problem));
        Volatile.Write(ref _current, read);
        return listing.Revision;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _watch.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Stopping anyway.
        }

        _stop.Dispose();
    }

    private async Task WatchLoopAsync(long fromRevision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _store.WatchAsync(StorePaths.Security, fromRevision, cancellationToken).ConfigureAwait(false))
                {
                    fromRevision = change.Revision + 1;
                    if (change.Key == StorePaths.AuditLog)
                    {
                        continue;
                    }

                    // Tokens change rarely: reading them all again is simpler than applying each change.
                    fromRevision = Math.Max(fromRevision, await ReloadAsync(cancellationToken).ConfigureAwait(false) + 1);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Following the tokens in the store failed ({Problem}); reloading them and watching again.", e.Message);
                try
                {
                    await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                    fromRevision = await ReloadAsync(cancellationToken).ConfigureAwait(false) + 1;
                }
                catch (Exception retry) when (retry is not OperationCanceledException)
                {
                    _logger.LogWarning("Reloading the tokens failed ({Problem}); retrying.", retry.Message);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
