using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Health;

/// <summary>A live controller's registration at <see cref="StorePaths.ControllerMember"/> (leased).</summary>
internal sealed record ControllerMember(string Id, string Url, DateTimeOffset Since);

/// <summary>One controller's "this server is down" at <see cref="StorePaths.ControllerOpinion"/> (leased with its membership).</summary>
internal sealed record ServerOpinion(string Controller, string Server, DateTimeOffset SilentSince, string? Problem);

/// <summary>The opinions of the live controllers as read from the store at one moment.</summary>
internal sealed class Votes
{
    private readonly Dictionary<string, List<string>> _downBy;

    public Votes(IReadOnlySet<string> members, Dictionary<string, List<string>> downBy)
    {
        Members = members;
        _downBy = downBy;
    }

    /// <summary>Ids of the registered (live) controllers.</summary>
    public IReadOnlySet<string> Members { get; }

    /// <summary>Live controllers that see <paramref name="server"/> down.</summary>
    public IReadOnlyList<string> DownBy(string server) => _downBy.TryGetValue(server, out var list) ? list : [];

    /// <summary>True when more than half of the live controllers see it down (one controller alone decides for itself).</summary>
    public bool IsMajority(string server) => DownBy(server).Count * 2 > Members.Count;
}

/// <summary>
/// This controller's place in the quorum: its membership record and its opinions, all attached to one lease
/// that it renews every third of its TTL. When the controller dies, its membership and its opinions vanish
/// together, so a dead controller neither counts as live nor votes.
/// </summary>
internal sealed class OpinionBoard : IAsyncDisposable
{
    private readonly ICoordinatorStore _store;
    private readonly string _id;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ServerOpinion> _written = new(StringComparer.OrdinalIgnoreCase);
    private long _lease;
    private long _renewedAt;
    private bool _abandoned;

    public OpinionBoard(ICoordinatorStore store, string controllerId, TimeSpan ttl, TimeProvider time, ILogger logger)
    {
        _store = store;
        _id = controllerId;
        _ttl = ttl;
        _time = time;
        _logger = logger;
    }

    /// <summary>The servers this controller has said are down (as last synced).</summary>
    public IReadOnlyCollection<string> Written => _written.Keys;

    /// <summary>This controller's API URL, written into its membership record.</summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// Makes the store hold exactly <paramref name="down"/> as this controller's opinions (server → opinion),
    /// renewing (or re-creating) the membership lease first. Called by one loop only.
    /// </summary>
    public async Task SyncAsync(IReadOnlyDictionary<string, ServerOpinion> down, CancellationToken cancellationToken)
    {
        await EnsureMembershipAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (server, opinion) in down)
        {
            if (!_written.ContainsKey(server))
            {
                await _store.PutAsync(StorePaths.ControllerOpinion(_id, server), JsonSerializer.Serialize(opinion, TesseraJson.Options), _lease, cancellationToken).ConfigureAwait(false);
                _written[server] = opinion;
            }
        }

        foreach (var server in _written.Keys.Where(s => !down.ContainsKey(s)).ToList())
        {
            await _store.DeleteAsync(StorePaths.ControllerOpinion(_id, server), cancellationToken: cancellationToken).ConfigureAwait(false);
            _written.Remove(server);
        }
    }

    /// <summary>Every live controller and who sees which server down. This controller counts as live even between lease renewals.</summary>
    public async Task<Votes> ReadVotesAsync(CancellationToken cancellationToken)
    {
        var members = new HashSet<string>(StringComparer.Ordinal) { _id };
        foreach (var record in await _store.ListAsync(StorePaths.ControllerMembers, cancellationToken).ConfigureAwait(false))
        {
            if (StorePaths.TryGetChildName(StorePaths.ControllerMembers, record.Key, out var id))
            {
                members.Add(id);
            }
        }

        var downBy = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var record in await _store.ListAsync(StorePaths.ControllerOpinions, cancellationToken).ConfigureAwait(false))
        {
            ServerOpinion? opinion;
            try
            {
                opinion = JsonSerializer.Deserialize<ServerOpinion>(record.Value, TesseraJson.Options);
            }
            catch (JsonException e)
            {
                _logger.LogWarning("Ignoring the opinion {Key}: it is not an opinion record ({Problem}).", record.Key, e.Message);
                continue;
            }

            // An opinion counts only while its controller is registered: a leftover of a dead one does not vote.
            if (opinion is not null && members.Contains(opinion.Controller))
            {
                if (!downBy.TryGetValue(opinion.Server, out var list))
                {
                    downBy[opinion.Server] = list = [];
                }

                if (!list.Contains(opinion.Controller))
                {
                    list.Add(opinion.Controller);
                }
            }
        }

        return new Votes(members, downBy);
    }

    /// <summary>Stops as a crash would: the lease is left to expire (tests of leader death).</summary>
    public void Abandon() => _abandoned = true;

    public async ValueTask DisposeAsync()
    {
        if (_abandoned || _lease == 0)
        {
            return;
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            // Membership and opinions go at once, so the others stop counting this controller.
            await _store.RevokeLeaseAsync(_lease, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CoordinatorStoreException or OperationCanceledException or HttpRequestException)
        {
            _logger.LogDebug("Revoking the membership lease failed ({Problem}); it expires by itself.", e.Message);
        }
    }

    private async Task EnsureMembershipAsync(CancellationToken cancellationToken)
    {
        if (_lease != 0 && _time.GetElapsedTime(_renewedAt) >= _ttl / 3)
        {
            var sentAt = _time.GetTimestamp();
            if (await _store.KeepAliveAsync(_lease, cancellationToken).ConfigureAwait(false))
            {
                _renewedAt = sentAt;
            }
            else
            {
                _logger.LogWarning("Controller {Id}: its membership lease expired (the store was unreachable for a while); registering again.", _id);
                _lease = 0;
            }
        }

        if (_lease != 0)
        {
            return;
        }

        var grantedAt = _time.GetTimestamp();
        var lease = await _store.GrantLeaseAsync(_ttl, cancellationToken).ConfigureAwait(false);
        var member = new ControllerMember(_id, Url, _time.GetUtcNow());
        await _store.PutAsync(StorePaths.ControllerMember(_id), JsonSerializer.Serialize(member, TesseraJson.Options), lease, cancellationToken).ConfigureAwait(false);
        _lease = lease;
        _renewedAt = grantedAt;

        // The old lease took the old opinions with it: write them again.
        _written.Clear();
    }
}
