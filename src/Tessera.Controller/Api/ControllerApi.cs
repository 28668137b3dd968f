using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Tessera.Controller.Events;
using Tessera.Controller.Failover;
using Tessera.Controller.Health;
using Tessera.Controller.Security;
using Tessera.Model.Api;
using Tessera.Store;

namespace Tessera.Controller.Api;

/// <summary>
/// Every HTTP route of the controller, in this one place (paths in <see cref="ControllerRoutes"/>, typed client in
/// <see cref="ControllerClient"/>). JSON in and out with <see cref="TesseraJson.Options"/>; every failure is
/// <c>{"error": "…"}</c> with 400 (bad input), 404 (unknown thing), 409 (conflicts with the topology or a
/// server's state) or 503 (standby, store unreachable).
/// </summary>
internal static class ControllerApi
{
    public static void Map(WebApplication app, ControllerContext controller)
    {
        // The access check first: a refused request reaches no handler, and a change is audited with the status
        // its handler's errors were turned into (architecture §8).
        var access = new ApiAccess(controller.Credentials, controller.Audit, controller.Options.AdminTokenFile);
        app.Use(access.InvokeAsync);
        app.Use((context, next) => AnswerErrorsAsync(context, next, controller.Logger));

        app.MapGet(ControllerRoutes.Health, () => Results.Json(new { status = "ok", leader = controller.Election.IsLeader }, TesseraJson.Options));
        app.MapGet(ControllerRoutes.Controller, () => ApiBodies.Json(controller.Info()));
        app.MapPrometheusScrapingEndpoint(ControllerRoutes.Metrics);
        // Handlers never take HttpContext as their only parameter: such a lambda would bind as a RequestDelegate
        // and its IResult would be dropped (an empty 200). They take the request, the token or route values.
        app.MapGet(ControllerRoutes.Status, async (FailoverService failover, CancellationToken aborted) =>
            ApiBodies.Json(await failover.AnnotateAsync(await controller.Status.BuildAsync(controller.Info(), aborted).ConfigureAwait(false), aborted).ConfigureAwait(false)));
        // Also discovery for plain clients (as Codis's jodis): ?zone= keeps one zone's proxies.
        app.MapGet(ControllerRoutes.Proxies, async (HttpRequest request) =>
        {
            string? zone = request.Query.TryGetValue("zone", out var zones) && zones.Count > 0 && !string.IsNullOrEmpty(zones[0]) ? zones[0] : null;
            var proxies = await controller.Status.ProxiesAsync(null, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return ApiBodies.Json(zone is null ? proxies : [.. proxies.Where(p => string.Equals(p.Proxy.Zone, zone, StringComparison.Ordinal))]);
        });

        app.MapGet(ControllerRoutes.Namespaces, async (CancellationToken aborted) => ApiBodies.Json(await controller.Operations.ListNamespacesAsync(aborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Namespaces, async (HttpRequest request) =>
        {
            var http = request.HttpContext;
            var body = await ApiBodies.ReadAsync<CreateNamespaceRequest>(http, """{"name": "shop", "open": false}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.CreateNamespaceAsync(body.Name, body.Open, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapGet(ControllerRoutes.Namespace, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.GetNamespaceAsync(ns, http.RequestAborted).ConfigureAwait(false)));
        app.MapPatch(ControllerRoutes.Namespace, async (HttpContext http, string ns) =>
        {
            var body = await ApiBodies.ReadAsync<UpdateNamespaceRequest>(http, """{"allowFlush": true, "open": false, "readOnly": true, "allowedIps": ["10.0.0.0/8"]}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.UpdateNamespaceAsync(ns, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapDelete(ControllerRoutes.Namespace, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.RemoveNamespaceAsync(ns, Flag(http, "force"), http.RequestAborted).ConfigureAwait(false)));

        // A namespace's users: passwords are answered once, when made; never stored or shown otherwise.
        app.MapGet(ControllerRoutes.Users, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.ListUsersAsync(ns, http.RequestAborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Users, async (HttpContext http, string ns) =>
        {
            var body = await ApiBodies.ReadAsync<CreateUserRequest>(http, """{"name": "app", "access": "readWrite", "deny": ["@admin"]}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.CreateUserAsync(ns, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapPatch(ControllerRoutes.User, async (HttpContext http, string ns, string user) =>
        {
            var body = await ApiBodies.ReadAsync<UpdateUserRequest>(http, """{"addPassword": ""}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.UpdateUserAsync(ns, user, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapDelete(ControllerRoutes.User, async (HttpContext http, string ns, string user) =>
            ApiBodies.Json(await controller.Operations.RemoveUserAsync(ns, user, http.RequestAborted).ConfigureAwait(false)));

        // The namespace's backend credentials: the password is taken, never answered ("***").
        app.MapGet(ControllerRoutes.BackendSecret, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.GetBackendCredentialsAsync(ns, http.RequestAborted).ConfigureAwait(false)));
        app.MapPut(ControllerRoutes.BackendSecret, async (HttpContext http, string ns) =>
        {
            var body = await ApiBodies.ReadAsync<SetBackendCredentialsRequest>(http, """{"password": "…", "user": "tessera"}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.SetBackendCredentialsAsync(ns, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapDelete(ControllerRoutes.BackendSecret, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.RemoveBackendCredentialsAsync(ns, http.RequestAborted).ConfigureAwait(false)));

        // The namespace's backend TLS: certificates are taken as PEM text; the key is never answered ("***").
        app.MapGet(ControllerRoutes.BackendTlsSecret, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.GetBackendTlsAsync(ns, http.RequestAborted).ConfigureAwait(false)));
        app.MapPut(ControllerRoutes.BackendTlsSecret, async (HttpContext http, string ns) =>
        {
            var body = await ApiBodies.ReadAsync<SetBackendTlsRequest>(http, """{"caCertificate": "-----BEGIN CERTIFICATE-----…", "clientCertificate": "…", "clientKey": "…"}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.SetBackendTlsAsync(ns, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapDelete(ControllerRoutes.BackendTlsSecret, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.RemoveBackendTlsAsync(ns, http.RequestAborted).ConfigureAwait(false)));

        app.MapPost(ControllerRoutes.Groups, async (HttpContext http, string ns) =>
        {
            var body = await ApiBodies.ReadAsync<CreateGroupRequest>(http, """{"id": 1}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.CreateGroupAsync(ns, body.Id, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapDelete(ControllerRoutes.Group, async (HttpContext http, string ns, string gid) =>
            ApiBodies.Json(await controller.Operations.RemoveGroupAsync(ns, GroupId(gid), http.RequestAborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Servers, async (HttpContext http, string ns, string gid) =>
        {
            var body = await ApiBodies.ReadAsync<AddServerRequest>(http, """{"address": "127.0.0.1:6379", "zone": "a"}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.AddServerAsync(ns, GroupId(gid), body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapPatch(ControllerRoutes.Server, async (HttpContext http, string ns, string gid, string address) =>
        {
            var body = await ApiBodies.ReadAsync<UpdateServerRequest>(http, """{"zone": "eu-west-1a"}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.SetServerZoneAsync(ns, GroupId(gid), address, body, http.RequestAborted).ConfigureAwait(false));
        });
        app.MapDelete(ControllerRoutes.Server, async (HttpContext http, string ns, string gid, string address) =>
            ApiBodies.Json(await controller.Operations.RemoveServerAsync(ns, GroupId(gid), address, http.RequestAborted).ConfigureAwait(false)));

        app.MapGet(ControllerRoutes.Slots, async (HttpContext http, string ns) =>
            ApiBodies.Json(await controller.Operations.GetSlotsAsync(ns, http.RequestAborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.Slots, async (HttpContext http, string ns) =>
        {
            var body = await ApiBodies.ReadAsync<AssignSlotsRequest>(http, """{"from": 0, "to": 511, "group": 1}""").ConfigureAwait(false);
            return ApiBodies.Json(await controller.Operations.AssignSlotsAsync(ns, body.From, body.To, body.Group, http.RequestAborted).ConfigureAwait(false));
        });

        // High availability: events, health, manual promotion, passive failure reports (Failover/FailoverService).
        app.MapGet(ControllerRoutes.Events, async (FailoverService failover, HttpContext http) =>
            ApiBodies.Json(await failover.ListEventsAsync(ApiBodies.Limit(http, EventLog.Capacity), http.RequestAborted).ConfigureAwait(false)));
        app.MapGet(ControllerRoutes.ServerHealth, async (FailoverService failover, CancellationToken aborted) => ApiBodies.Json(await failover.HealthAsync(aborted).ConfigureAwait(false)));
        app.MapPost(ControllerRoutes.HealthReports, async (FailoverService failover, HttpContext http) =>
        {
            var body = await ApiBodies.ReadAsync<BackendFailureReport>(http, """{"server": "127.0.0.1:7001", "reporter": "proxy-1"}""").ConfigureAwait(false);
            return ApiBodies.Json(new { probing = failover.Report(body) });
        });
        app.MapPost(ControllerRoutes.Promote, async (FailoverService failover, HttpContext http, string ns, string gid) =>
        {
            var body = await ApiBodies.ReadAsync<PromoteRequest>(http, """{"address": "127.0.0.1:7002"}""").ConfigureAwait(false);
            return ApiBodies.Json(await failover.PromoteAsync(ns, GroupId(gid), body.Address, http.RequestAborted).ConfigureAwait(false));
        });

        MigrationApi.Map(app, controller);
        SecurityApi.Map(app, controller);
        InsightApi.Map(app, controller);

        app.MapFallback((HttpRequest request) => ApiBodies.Error(404,
            $"there is no {request.Method} {request.Path} in the controller API; its routes start with /api/ (see `tessera --help` for the verbs that call them)"));
    }

    /// <summary>Turns what the operations throw into <c>{"error"}</c> answers; anything unexpected is logged and answered 500.</summary>
    private static async Task AnswerErrorsAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        catch (OperationRefusedException e)
        {
            await WriteErrorAsync(context, e.StatusCode, e.Message, e.Leader).ConfigureAwait(false);
        }
        catch (CoordinatorStoreException e)
        {
            logger.LogWarning("Store failure while answering {Method} {Path}: {Problem}", context.Request.Method, context.Request.Path, e.Message);
            await WriteErrorAsync(context, 503, $"the coordinator store did not answer ({e.Message.TrimEnd('.')}); check that it runs and retry").ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(context, 400, $"the request could not be read ({e.Message.TrimEnd('.')})").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody is left to answer.
        }
#pragma warning disable CA1031 // The API must answer JSON for every failure; the exception is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Unexpected failure answering {Method} {Path}.", context.Request.Method, context.Request.Path);
            await WriteErrorAsync(context, 500, $"the controller failed unexpectedly ({e.GetType().Name}: {e.Message.TrimEnd('.')}); see its log").ConfigureAwait(false);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message, Uri? leader = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new ApiError(message, leader?.ToString()), TesseraJson.Options, context.RequestAborted).ConfigureAwait(false);
    }

    private static int GroupId(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw OperationRefusedException.BadRequest($"'{text}' is not a group id; group ids are positive integers (1, 2, …)");

    private static bool Flag(HttpContext http, string name) =>
        http.Request.Query.TryGetValue(name, out var values) && values.Count > 0 && (values[0] is null or "" or "true" or "1");
}
