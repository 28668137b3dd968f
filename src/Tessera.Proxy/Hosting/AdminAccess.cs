using Microsoft.AspNetCore.Http;
using Tessera.Model.Api;
using Tessera.Model.Security;
using Tessera.Proxy.Coordination;

namespace Tessera.Proxy.Hosting;

/// <summary>
/// The access check of the proxy's admin API, before every route but <c>GET /healthz</c>. A proxy on a store
/// accepts the cluster secret (what controllers send) or an API token with role viewer for reads and operator
/// for changes; anything else is 401 (no or unknown credential) or 403 (role too small) and changes nothing.
/// A proxy serving a topology file answers reads to anyone and refuses every change with 403: its routes come
/// from the file.
/// </summary>
internal static class AdminAccess
{
    public static async Task InvokeAsync(HttpContext http, RequestDelegate next, ProxyCredentials credentials)
    {
        var request = http.Request;
        var reads = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (reads && string.Equals(request.Path.Value?.TrimEnd('/'), ProxyAdminRoutes.Health, StringComparison.OrdinalIgnoreCase))
        {
            await next(http).ConfigureAwait(false);
            return;
        }

        if (!credentials.FromStore)
        {
            if (reads)
            {
                await next(http).ConfigureAwait(false);
                return;
            }

            await RefuseAsync(http, StatusCodes.Status403Forbidden,
                "this proxy serves a topology file; edit the file and reload it with `kill -HUP <pid>` (route pushes are for proxies started with --store)").ConfigureAwait(false);
            return;
        }

        var known = credentials.Current;
        if (!BearerToken.TryRead(request.Headers.Authorization, out var presented))
        {
            await RefuseAsync(http, StatusCodes.Status401Unauthorized,
                "this admin API needs a bearer token: the cluster secret (controllers send it) or an API token (viewer for reads, operator for changes), e.g. curl -H \"Authorization: Bearer $(cat ~/.config/tessera/admin.token)\"").ConfigureAwait(false);
            return;
        }

        if (known.IsClusterSecret(presented))
        {
            await next(http).ConfigureAwait(false);
            return;
        }

        var needed = reads ? ApiRole.Viewer : ApiRole.Operator;
        if (known.Authenticate(presented) is not { ParsedRole: { } role } token)
        {
            await RefuseAsync(http, StatusCodes.Status401Unauthorized,
                known.ClusterSecret is null
                    ? "this proxy has not read a cluster secret from its store yet (no controller has started on it): start a controller, then retry"
                    : "the bearer token is neither the cluster secret nor an API token this cluster knows (revoked, mistyped, or from another cluster); `tessera token list` shows the tokens").ConfigureAwait(false);
            return;
        }

        if (role < needed)
        {
            await RefuseAsync(http, StatusCodes.Status403Forbidden,
                $"{request.Method} {request.Path} needs a token with role {needed.Name()} or above; token '{token.Name}' has role {token.Role}").ConfigureAwait(false);
            return;
        }

        await next(http).ConfigureAwait(false);
    }

    private static async Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await http.Response.WriteAsJsonAsync(new { error = message }, TesseraJson.Options, http.RequestAborted).ConfigureAwait(false);
    }
}
