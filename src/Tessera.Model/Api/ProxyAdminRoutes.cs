namespace Tessera.Model.Api;

/// <summary>
/// The paths of a proxy's admin HTTP API, for the proxy's route table (<c>AdminApi</c>) and its callers: the
/// controller's pushes and status probes, and <c>tessera up</c>'s readiness wait. Combine with a proxy's
/// admin URL by <see cref="ApiUrl.Combine(string, string)"/>.
/// </summary>
public static class ProxyAdminRoutes
{
    /// <summary>GET: 200 "ok", or 503 "fenced" while the proxy refuses clients.</summary>
    public const string Health = "/healthz";

    /// <summary>GET: the proxy's <see cref="Proxies.ProxyRoutesState"/> (epoch and signature per namespace).</summary>
    public const string Topology = "/api/topology";

    /// <summary>GET: the routes being served, as a topology.</summary>
    public const string TopologyConfig = "/api/topology/config";

    /// <summary>POST: a <see cref="Proxies.RoutePush"/>; answered with the proxy's routes state.</summary>
    public const string Routes = "/api/routes";

    /// <summary>GET: the proxy's metrics in the Prometheus text format (OpenMetrics when asked); a viewer token reads them.</summary>
    public const string Metrics = "/metrics";
}
