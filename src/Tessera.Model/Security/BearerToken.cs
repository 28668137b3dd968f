namespace Tessera.Model.Security;

/// <summary>Reading <c>Authorization: Bearer &lt;token&gt;</c>, one way for the controller's API and the proxies' admin APIs.</summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>
    /// The token in the request's Authorization header values: false when there is none, more than one, another
    /// scheme, or an empty token.
    /// </summary>
    public static bool TryRead(IReadOnlyList<string?> authorization, out string token)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        token = "";
        if (authorization.Count != 1 || authorization[0] is not { } value || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        token = value[Scheme.Length..].Trim();
        return token.Length > 0;
    }
}
