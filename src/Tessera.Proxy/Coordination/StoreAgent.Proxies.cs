using Tessera.Model.Proxies;
using Tessera.Proxy.Cluster;
using Tessera.Store;

namespace Tessera.Proxy.Coordination;

/// <remarks>The live proxies: counted for the quota shares and listed for the cluster face, at every renewal and on every change.</remarks>
internal sealed partial class StoreAgent
{
    /// <summary>
    /// Lists the live proxies (leased registrations, this one included) and returns the listing's revision. Their count
    /// divides the namespaces' quotas: each proxy enforces limit ÷ count. Those with the cluster face on are the
    /// cluster face's members. Re-read at every renewal (a third of the lease TTL) and whenever a registration comes
    /// or goes (<see cref="ProxyWatchLoopAsync"/>), so a join or a leave shows within moments.
    /// </summary>
    /// <remarks>
    /// The proxies divide by the registrations themselves rather than wait for the controller to push shares: the
    /// registrations are what the controller would divide by, and a proxy that lost the controller still keeps its
    /// tenants within their limits. The cluster face's table is likewise computed by each proxy from the same listing.
    /// </remarks>
    private async Task<long> ListProxiesAsync(CancellationToken cancellationToken)
    {
        var listing = await _store.ListAsync(StorePaths.Proxies, cancellationToken).ConfigureAwait(false);
        int count = 0;
        var members = new List<ClusterMember>();
        foreach (var record in listing)
        {
            if (!StorePaths.TryGetChildName(StorePaths.Proxies, record.Key, out _))
            {
                continue;
            }

            count++;
            if (_cluster.Enabled && Read<ProxyRecord>(record.Key, record.Value, "proxy registration") is { ClusterFace: true } proxy && ClusterMember.From(proxy.Id, proxy.ClientAddress, record.CreateRevision) is { } member)
            {
                members.Add(member with { TlsPort = proxy.TlsPort, TlsOnly = proxy.TlsOnly, Zone = string.IsNullOrEmpty(proxy.Zone) ? null : proxy.Zone });
            }
        }

        lock (_proxiesGate)
        {
            // The renewal loop and the watch both list: an older listing that finishes last must not win.
            if (listing.Revision >= _proxiesRevision)
            {
                _proxiesRevision = listing.Revision;
                _tenants.Proxies = count;
                if (_cluster.Enabled)
                {
                    _cluster.SetMembers(members);
                }
            }
        }

        return listing.Revision;
    }

    /// <summary>Follows <see cref="StorePaths.Proxies"/>: any registration that comes or goes lists them again.</summary>
    private Task ProxyWatchLoopAsync(long fromRevision, CancellationToken cancellationToken) =>
        FollowAsync(StorePaths.Proxies, fromRevision, "the proxy registrations", async (change, ct) =>
            await ListProxiesAsync(ct).ConfigureAwait(false), ListProxiesAsync, cancellationToken);
}
