using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.Model.Api;
using Tessera.Model.Proxies;
using Tessera.Model.Topology;
using Tessera.Proxy.Coordination;
using Tessera.Proxy.Sessions;

namespace Tessera.Proxy.Hosting;

/// <summary>
/// The proxy's admin HTTP API, every route in one place (paths from <see cref="ProxyAdminRoutes"/>, JSON with
/// <see cref="TesseraJson.Options"/>, as its callers read it): the controller pushes routes here, and operators
/// and the controller read the proxy's view. Every route but /healthz is behind <see cref="AdminAccess"/> (the cluster
/// secret or an API token; a proxy serving a topology file answers reads only).
/// <list type="bullet">
/// <item>GET /healthz: 200 "ok", or 503 "fenced" while the proxy refuses clients.</item>
/// <item>GET /api/topology: <see cref="ProxyRoutesState"/> (epoch and signature per namespace).</item>
/// <item>GET /metrics: the proxy's metrics (<see cref="Stats.ProxyMetrics"/>), Prometheus text or OpenMetrics.</item>
/// <item>GET /api/topology/config: the routes being served, as a <see cref="TopologyConfig"/>.</item>
/// <item>POST /api/routes: a <see cref="RoutePush"/>; answers 200 with the new state once requests routed by
/// the old routes are answered, 409 with the current state when the push is older than what is served,
/// 400 when the routes are invalid.</item>
/// </list>
/// </summary>
internal static class AdminApi
{
    public static void Map(WebApplication routes, ProxyContext context, ProxyCredentials credentials)
    {
        routes.Use((http, next) => AdminAccess.InvokeAsync(http, next, credentials));
        routes.MapGet(ProxyAdminRoutes.Health, () => context.Routing.Fenced
            ? Results.Text("fenced\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ok\n"));

        routes.MapGet(ProxyAdminRoutes.Topology, () => Json(State(context)));
        if (context.Metrics is not null)
        {
            routes.MapPrometheusScrapingEndpoint(ProxyAdminRoutes.Metrics);
        }
        else
        {
            routes.MapGet(ProxyAdminRoutes.Metrics, () => Results.Text("this proxy runs with --no-metrics: it keeps no metrics; restart it without that option to scrape it\n", statusCode: StatusCodes.Status404NotFound));
        }

        routes.MapGet(ProxyAdminRoutes.TopologyConfig, () =>
        {
            var snapshot = context.Routing.Current;
            var namespaces = snapshot.Namespaces.Values.Select(n => n.Config).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
            return Json(new TopologyConfig { Epoch = snapshot.Epoch, Namespaces = namespaces });
        });

        routes.MapPost(ProxyAdminRoutes.Routes, async (RoutePush push) =>
        {
            if (push?.Namespace is not { } ns || string.IsNullOrWhiteSpace(ns.Name))
            {
                return Json(new { error = "the push must carry a namespace with a name" }, StatusCodes.Status400BadRequest);
            }

            if (push.Removed)
            {
                await context.Routing.RemoveNamespaceAsync(ns.Name).ConfigureAwait(false);
                return Json(State(context));
            }

            var problems = TopologyValidator.Validate(new TopologyConfig { Epoch = ns.Epoch, Namespaces = [ns] }, requireAllSlots: false);
            if (problems.Count > 0)
            {
                return Json(new { error = $"invalid routes for namespace '{ns.Name}': {string.Join("; ", problems)}" }, StatusCodes.Status400BadRequest);
            }

            bool applied;
            try
            {
                applied = await context.Routing.ApplyNamespaceAsync(ns, context.Options.RequestTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                return Json(new { error = ex.Message }, StatusCodes.Status400BadRequest);
            }

            return applied
                ? Json(State(context))
                : Json(State(context), StatusCodes.Status409Conflict);
        });
    }

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, TesseraJson.Options, statusCode: status);

    public static ProxyRoutesState State(ProxyContext context)
    {
        var snapshot = context.Routing.Current;
        return new ProxyRoutesState
        {
            Id = context.Id,
            Fenced = context.Routing.Fenced,
            Namespaces = snapshot.Namespaces.Values
                .OrderBy(n => n.Name, StringComparer.Ordinal)
                .Select(n => new ProxyNamespaceState(n.Name, n.Epoch, n.Signature))
                .ToList(),
        };
    }
}
