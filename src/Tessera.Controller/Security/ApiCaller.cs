namespace Tessera.Controller.Security;

/// <summary>
/// Who made an API request, as <see cref="ApiAccess"/> found it: the token's name and role. Set as a request
/// feature for the handlers (token creation records its creator) and the audit log.
/// </summary>
internal sealed record ApiCaller(string Token, string Role)
{
    /// <summary>The name the audit log gives a proxy that authenticated with the cluster secret (no token can be called that).</summary>
    public static readonly ApiCaller ClusterMember = new("(cluster secret)", "proxy");
}
