using Tessera.Controller.Metrics;
using Tessera.Model.Topology;

namespace Tessera.Controller.Insight;

/// <summary>Everything one insight round gathered, at one time: the input of health scores, top lists and alert rules.</summary>
internal sealed record InsightRound
{
    public required DateTimeOffset Time { get; init; }

    public required IReadOnlyList<NamespaceConfig> Namespaces { get; init; }

    public required IReadOnlyList<ServerFigures> Servers { get; init; }

    /// <summary>Each reachable proxy's counters, by proxy id.</summary>
    public required IReadOnlyDictionary<string, ProxyCounters> Proxies { get; init; }

    /// <summary>(namespace, proxy) pairs whose proxy serves other routes than the store's, or did not answer: 1; else 0.</summary>
    public required IReadOnlyList<(string Namespace, string Proxy, bool Stale)> Routes { get; init; }

    /// <summary>Seconds each namespace's running migrations have made no progress (the longest of them), for namespaces with one running.</summary>
    public required IReadOnlyDictionary<string, double> MigrationStalls { get; init; }

    /// <summary>Backend TLS certificates by namespace: which ("ca", "client") and when it expires.</summary>
    public required IReadOnlyList<(string Namespace, string Certificate, DateTimeOffset NotAfter)> Certificates { get; init; }

    public required IReadOnlyList<ReplicaLagSample> Lags { get; init; }
}
