using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Controller.Operations;
using Tessera.Controller.Rebalance;
using Tessera.Model.Api;

namespace Tessera.Controller.Migration;

/// <summary>
/// The migration and rebalance routes of the controller API (paths in <see cref="ControllerRoutes"/>, called by
/// <see cref="ControllerClient"/>); mapped from <see cref="ControllerApi.Map"/>, whose error handling they share.
/// </summary>
internal static class MigrationApi
{
    public static void Map(WebApplication app, ControllerContext controller)
    {
        app.MapGet(ControllerRoutes.AllMigrations, async (CancellationToken aborted) =>
            Json(await controller.Migrations.ListAsync(null, aborted).ConfigureAwait(false)));
        app.MapGet(ControllerRoutes.Migrations, async (HttpContext http, string ns) =>
            Json(await controller.Migrations.ListAsync(ns, http.RequestAborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Migrations, async (HttpContext http, string ns) =>
        {
            var body = await ReadAsync<StartMigrationRequest>(http, """{"from": 0, "to": 511, "group": 2}""").ConfigureAwait(false);
            return Json(await controller.Migrations.StartAsync(ns, body.From, body.To, body.Group, body.Settings, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapGet(ControllerRoutes.Migration, async (HttpContext http, string ns, string id) =>
            Json(await controller.Migrations.GetAsync(ns, id, http.RequestAborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Migration, async (HttpContext http, string ns, string id) =>
        {
            var body = await ReadAsync<MigrationControlRequest>(http, """{"action": "pause"}""").ConfigureAwait(false);
            return Json(await controller.Migrations.ControlAsync(ns, id, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapPost(ControllerRoutes.Rebalance, async (HttpContext http, string ns) =>
        {
            // No body at all means the defaults (a plain `curl -X POST`); a chunked body has no length, so read it to know.
            using var reader = new StreamReader(http.Request.Body);
            var text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
            var body = string.IsNullOrWhiteSpace(text) ? new RebalanceRequest() : Parse<RebalanceRequest>(http, text, """{"dryRun": true, "weights": {"1": 1, "2": 2}}""");
            return Json(await controller.Migrations.Rebalance.RebalanceAsync(ns, body, http.RequestAborted).ConfigureAwait(false));
        });
    }

    private static T Parse<T>(HttpContext http, string text, string example)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, TesseraJson.Options)
                ?? throw OperationRefusedException.BadRequest($"{http.Request.Method} {http.Request.Path} needs a JSON body like {example}");
        }
        catch (JsonException e)
        {
            throw OperationRefusedException.BadRequest($"{http.Request.Method} {http.Request.Path} needs a JSON body like {example} ({e.Message.TrimEnd('.')})");
        }
    }

    private static IResult Json<T>(T value) => Results.Json(value, TesseraJson.Options);

    /// <summary>Reads a JSON body; 400 showing an example of the expected body when it is missing or malformed.</summary>
    private static async Task<T> ReadAsync<T>(HttpContext http, string example)
        where T : class
    {
        try
        {
            var body = http.Request.ContentLength == 0
                ? null
                : await JsonSerializer.DeserializeAsync<T>(http.Request.Body, TesseraJson.Options, http.RequestAborted).ConfigureAwait(false);
            return body ?? throw OperationRefusedException.BadRequest($"{http.Request.Method} {http.Request.Path} needs a JSON body like {example}");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw OperationRefusedException.BadRequest($"{http.Request.Method} {http.Request.Path} needs a JSON body like {example} ({e.Message.TrimEnd('.')})");
        }
    }
}
