using Tessera.Model.Api;
using Tessera.Model.Security;

namespace Tessera.Controller.Security;

/// <summary>
/// The one rule that says which role a request needs, from its method and path alone, so a route added later
/// is covered without being listed anywhere:
/// <list type="bullet">
/// <item><c>GET /healthz</c> needs nothing (load balancers probe it);</item>
/// <item>anything under <c>/api/tokens</c>, <c>/api/audit</c>, or with a <c>/users</c> or <c>/secrets</c> segment
/// (namespace users and their secrets) needs <see cref="ApiRole.Admin"/>, whatever the method;</item>
/// <item>any other GET (or HEAD) needs <see cref="ApiRole.Viewer"/>;</item>
/// <item>every other method needs <see cref="ApiRole.Operator"/>.</item>
/// </list>
/// Paths are compared case-insensitively, as the router matches them.
/// </summary>
public static class RouteRoles
{
    /// <summary>The role <paramref name="method"/> <paramref name="path"/> needs, or null when it needs no token.</summary>
    public static ApiRole? Required(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var reads = HttpMethodsEqual(method, "GET") || HttpMethodsEqual(method, "HEAD");
        if (reads && string.Equals(path.TrimEnd('/'), ControllerRoutes.Health, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (IsAdminOnly(path))
        {
            return ApiRole.Admin;
        }

        return reads ? ApiRole.Viewer : ApiRole.Operator;
    }

    /// <summary>
    /// Tokens and the audit log (who may act, and what they did) and namespace users and secrets (credentials)
    /// are for admins only. The audit log is admin-only although reading it changes nothing: it names every
    /// token and the addresses they are used from, which is a map for anyone holding a stolen viewer token.
    /// </summary>
    private static bool IsAdminOnly(string path) =>
        StartsWithSegment(path, ControllerRoutes.Tokens)
        || StartsWithSegment(path, ControllerRoutes.Audit)
        || HasSegment(path, "users")
        || HasSegment(path, "secrets");

    private static bool StartsWithSegment(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (path.Length == prefix.Length || path[prefix.Length] == '/');

    private static bool HasSegment(string path, string segment)
    {
        foreach (var part in path.Split('/'))
        {
            if (string.Equals(part, segment, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HttpMethodsEqual(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
