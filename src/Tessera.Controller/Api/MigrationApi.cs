using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.Controller.Migration;
using Tessera.Controller.Rebalance;
using Tessera.Model.Api;

namespace Tessera.Controller.Api;

/// <summary>
/// The migration and rebalance routes of the controller API (paths in <see cref="ControllerRoutes"/>, called by
/// <see cref="ControllerClient"/>); mapped from <see cref="ControllerApi.Map"/>, whose error handling they share.
/// </summary>
internal static class MigrationApi
{
    public static void Map(WebApplication app, ControllerContext controller)
    {
        app.MapGet(ControllerRoutes.AllMigrations, async (CancellationToken aborted) =>
            ApiBodies.Json(await controller.Migrations.ListAsync(null, aborted).ConfigureAwait(false)));
        app.MapGet(ControllerRoutes.Migrations, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Migrations.ListAsync(ns, http.RequestAborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Migrations, async (HttpContext http, string ns) =>
        {
            var body = await ApiBodies.ReadAsync<StartMigrationRequest>(http, """{"from": 0, "to": 511, "group": 2}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Migrations.StartAsync(ns, body.From, body.To, body.Group, body.Settings, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapGet(ControllerRoutes.Migration, async (HttpContext http, string ns, string id) =>
            ApiBodies.Json(await controller.Migrations.GetAsync(ns, id, http.RequestAborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Migration, async (HttpContext http, string ns, string id) =>
        {
            var body = await ApiBodies.ReadAsync<MigrationControlRequest>(http, """{"action": "pause"}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Migrations.ControlAsync(ns, id, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapPost(ControllerRoutes.Rebalance, async (HttpContext http, string ns) =>
        {
            // No body at all means the defaults.
            var body = await ApiBodies.ReadOrDefaultAsync(http, """{"dryRun": true, "weights": {"1": 1, "2": 2}}""", static () => new RebalanceRequest()).ConfigureAwait(false);
            return ApiBodies.Json(await controller.Rebalance.RebalanceAsync(ns, body, http.RequestAborted).ConfigureAwait(false));
        });
    }
}
