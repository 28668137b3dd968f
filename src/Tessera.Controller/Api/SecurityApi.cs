using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.Controller.Security;
using Tessera.Model.Api;
using Tessera.Model.Security;

namespace Tessera.Controller.Api;

/// <summary>
/// The token and audit routes of the controller API (paths in <see cref="ControllerRoutes"/>, all admin-only by
/// <see cref="RouteRoles"/>); mapped from <see cref="ControllerApi.Map"/>, whose error handling they share. A
/// created token is in the answer of its POST and nowhere else; listings never show hashes.
/// </summary>
internal static class SecurityApi
{
    public static void Map(WebApplication app, ControllerContext controller)
    {
        app.MapGet(ControllerRoutes.Tokens, async (CancellationToken aborted) =>
            ApiBodies.Json((await controller.Tokens.ListAsync(aborted).ConfigureAwait(false)).Select(Info).ToList()));
        app.MapPost(ControllerRoutes.Tokens, async (HttpRequest request) =>
        {
            var http = request.HttpContext;
            var body = await ApiBodies.ReadAsync<CreateTokenRequest>(http, """{"name": "ci-deploy", "role": "operator"}""").ConfigureAwait(false);
            var created = await controller.Tokens.CreateAsync(body.Name, body.Role, ApiAccess.CallerOf(http).Token, http.RequestAborted).ConfigureAwait(false);
            await controller.Credentials.ReloadAsync(http.RequestAborted).ConfigureAwait(false);
            return ApiBodies.Json(created);
        });
        app.MapDelete(ControllerRoutes.Token, async (HttpContext http, string name) =>
        {
            await controller.Tokens.RevokeAsync(name, http.RequestAborted).ConfigureAwait(false);

            // This controller stops accepting it now; the others when their watch reports the delete.
            await controller.Credentials.ReloadAsync(http.RequestAborted).ConfigureAwait(false);
            return ApiBodies.Json(new { revoked = name });
        });

        app.MapGet(ControllerRoutes.Audit, async (HttpRequest request) =>
            ApiBodies.Json(await controller.Audit.ListAsync(ApiBodies.Limit(request.HttpContext, AuditLog.Capacity), request.HttpContext.RequestAborted).ConfigureAwait(false)));
    }

    private static TokenInfo Info(StoredToken token) => new() { Name = token.Name, Role = token.Role, Created = token.Created, CreatedBy = token.CreatedBy };
}
