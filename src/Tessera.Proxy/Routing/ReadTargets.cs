using Tessera.Model.Topology;
using Tessera.Proxy.Backends;

namespace Tessera.Proxy.Routing;

/// <summary>
/// The replicas of one group that may serve reads right now, split by the proxy's zone: the ones the leading controller
/// last measured fresh (<see cref="FreshReplicas"/>), among the group's replicas. Immutable; a new measurement replaces
/// the group's instance with one reference write (<see cref="GroupRoute.Reads"/>), so picking allocates nothing and
/// takes no lock.
/// </summary>
internal sealed class ReadTargets
{
    private ReadTargets(BackendServer[] local, BackendServer[] other)
    {
        Local = local;
        Other = other;
        All = [.. local, .. other];
    }

    /// <summary>No fresh replica: every read goes to the master (or is refused in <see cref="ReadMode.Replica"/>).</summary>
    public static ReadTargets None { get; } = new([], []);

    /// <summary>Fresh replicas in the proxy's zone.</summary>
    public BackendServer[] Local { get; }

    /// <summary>Fresh replicas in other zones, or without a zone.</summary>
    public BackendServer[] Other { get; }

    /// <summary>Every fresh replica, the proxy's zone first.</summary>
    public BackendServer[] All { get; }

    public int Count => All.Length;

    /// <summary>
    /// The fresh replicas among <paramref name="replicas"/> named by <paramref name="fresh"/>, split by whether their
    /// zone (<paramref name="zones"/>) is <paramref name="proxyZone"/>.
    /// </summary>
    public static ReadTargets Of(IReadOnlyList<BackendServer> replicas, IReadOnlyList<string> fresh, IReadOnlyDictionary<string, string> zones, string? proxyZone)
    {
        if (fresh.Count == 0 || replicas.Count == 0)
        {
            return None;
        }

        var names = new HashSet<string>(fresh, StringComparer.OrdinalIgnoreCase);
        var local = new List<BackendServer>();
        var other = new List<BackendServer>();
        foreach (var replica in replicas)
        {
            if (!names.Contains(replica.Address))
            {
                continue;
            }

            bool inZone = proxyZone is not null && zones.TryGetValue(replica.Address, out var zone) && string.Equals(zone, proxyZone, StringComparison.Ordinal);
            (inZone ? local : other).Add(replica);
        }

        return local.Count + other.Count == 0 ? None : new ReadTargets([.. local], [.. other]);
    }

    /// <summary>
    /// The replica a read of a session goes to in <paramref name="mode"/>: null for the master, <paramref name="refused"/>
    /// true when the mode allows no master and no replica is usable. <paramref name="seed"/> (the session id) spreads
    /// sessions over the replicas and keeps one session on one replica while the set stands (so its reads do not go
    /// back in time by switching to a replica further behind). A replica whose connection for this session is down is
    /// skipped: the proxy drops a failing replica before the controller's next measurement does.
    /// </summary>
    public BackendServer? Pick(ReadMode mode, ReadFallback fallback, long seed, out bool refused)
    {
        refused = false;
        switch (mode)
        {
            case ReadMode.Replica:
            case ReadMode.PreferReplica:
                {
                    // Spread over every fresh replica: zones matter only to nearest.
                    var picked = PickFrom(All, seed);
                    refused = picked is null && mode == ReadMode.Replica;
                    return picked;
                }

            case ReadMode.Nearest:
                {
                    if (PickFrom(Local, seed) is { } near)
                    {
                        return near;
                    }

                    if (fallback == ReadFallback.Master)
                    {
                        return null;
                    }

                    var far = PickFrom(Other, seed);
                    refused = far is null && fallback == ReadFallback.Replicas;
                    return far;
                }

            default:
                return null;
        }
    }

    private static BackendServer? PickFrom(BackendServer[] servers, long seed)
    {
        int n = servers.Length;
        if (n == 0)
        {
            return null;
        }

        int start = (int)((ulong)seed % (uint)n);
        for (int i = 0; i < n; i++)
        {
            var server = servers[(start + i) % n];
            if (server.IsAvailable)
            {
                return server;
            }
        }

        return null;
    }
}
