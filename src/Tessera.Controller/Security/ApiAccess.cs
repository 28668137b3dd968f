using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tessera.Model.Api;
using Tessera.Model.Security;

namespace Tessera.Controller.Security;

/// <summary>
/// The controller API's one access check, run for every request before any handler: the bearer token must be
/// one the store knows (<see cref="StoredCredentials"/>) with the role <see cref="RouteRoles"/> asks for the
/// request's method and path. Missing, malformed or unknown tokens get 401 with <c>WWW-Authenticate: Bearer</c>,
/// a known token with too small a role gets 403; both say what to do. Proxies' health reports may use the cluster
/// secret instead of a token. Every change that got through is recorded in the <see cref="AuditLog"/> with its
/// status, after the handler answered.
/// </summary>
internal sealed class ApiAccess
{
    private readonly StoredCredentials _credentials;
    private readonly AuditLog _audit;
    private readonly string _adminTokenFile;

    public ApiAccess(StoredCredentials credentials, AuditLog audit, string adminTokenFile)
    {
        _credentials = credentials;
        _audit = audit;
        _adminTokenFile = adminTokenFile;
    }

    /// <summary>True for the catch-all route pattern (the API's 404 answer), which says nothing about what was asked for.</summary>
    public static bool IsFallback(string? routePattern) => routePattern is null || routePattern.Contains("{*", StringComparison.Ordinal);

    /// <summary>The role the request needs: the stricter of what its path and its route template need (null: none).</summary>
    public static ApiRole? RequiredRole(HttpContext http)
    {
        var method = http.Request.Method;
        var byPath = RouteRoles.Required(method, http.Request.Path.Value ?? "/");
        var template = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var byTemplate = IsFallback(template) ? byPath : RouteRoles.Required(method, template!);
        return byPath is null ? byTemplate : byTemplate is null ? byPath : (ApiRole)Math.Max((int)byPath, (int)byTemplate);
    }

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (RequiredRole(http) is not { } needed)
        {
            await next(http).ConfigureAwait(false);
            return;
        }

        var request = http.Request;
        if (!BearerToken.TryRead(request.Headers.Authorization, out var presented))
        {
            await RefuseAsync(http, StatusCodes.Status401Unauthorized,
                $"this API needs a bearer token (Authorization: Bearer …): pass --token or set TESSERA_TOKEN (a controller's first start on an empty store writes an admin token to its --admin-token-file, this one's being {_adminTokenFile}; `tessera token create` makes more)").ConfigureAwait(false);
            return;
        }

        ApiCaller caller;
        var known = _credentials.Current;
        if (IsHealthReport(request) && known.IsClusterSecret(presented))
        {
            caller = ApiCaller.ClusterMember;
        }
        else if (known.Authenticate(presented) is { ParsedRole: { } role } token)
        {
            caller = new ApiCaller(token.Name, token.Role);
            if (role < needed)
            {
                await RefuseAsync(http, StatusCodes.Status403Forbidden,
                    $"{request.Method} {request.Path} needs a token with role {needed.Name()} or above; token '{token.Name}' has role {token.Role}. Use a token with that role (an admin makes one with `tessera token create NAME --role {needed.Name()}`)").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            await RefuseAsync(http, StatusCodes.Status401Unauthorized,
                $"the bearer token is not one this cluster knows (revoked, mistyped, or from another cluster); pass a valid one with --token or TESSERA_TOKEN (`tessera token list` shows the tokens, `tessera token create` makes one; the first admin token was written to the first controller's --admin-token-file, this one's being {_adminTokenFile})").ConfigureAwait(false);
            return;
        }

        http.Features.Set(caller);
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || caller == ApiCaller.ClusterMember)
        {
            // Reads change nothing, and proxies' failure reports are signals, not admin changes: an outage would
            // otherwise flood the bounded log and push the changes that matter out of it.
            await next(http).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(http).ConfigureAwait(false);
        }
        finally
        {
            await _audit.RecordAsync(http, caller).ConfigureAwait(false);
        }
    }

    /// <summary>The caller the access check found for <paramref name="http"/>.</summary>
    public static ApiCaller CallerOf(HttpContext http) =>
        http.Features.Get<ApiCaller>() ?? throw new InvalidOperationException("the request has no caller: the access check did not run");

    private static bool IsHealthReport(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && string.Equals(request.Path.Value?.TrimEnd('/'), ControllerRoutes.HealthReports, StringComparison.OrdinalIgnoreCase);

    private static async Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.WWWAuthenticate = status == StatusCodes.Status401Unauthorized ? "Bearer" : "Bearer error=\"insufficient_scope\"";
        await http.Response.WriteAsJsonAsync(new ApiError(message), TesseraJson.Options, http.RequestAborted).ConfigureAwait(false);
    }
}
