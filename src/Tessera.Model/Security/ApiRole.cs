namespace Tessera.Model.Security;

/// <summary>
/// What a token may do, each role including the ones below it: <see cref="Viewer"/> reads, <see cref="Operator"/>
/// also changes the topology (namespaces, groups, servers, slots, migrations, promotions, rebalancing), and
/// <see cref="Admin"/> also manages tokens, namespace users and secrets, and reads the audit log.
/// </summary>
public enum ApiRole
{
    Viewer = 1,
    Operator = 2,
    Admin = 3,
}

/// <summary>The roles' names as the API, the store and the CLI spell them.</summary>
public static class ApiRoles
{
    /// <summary>"viewer, operator or admin", for messages.</summary>
    public const string Choices = "viewer, operator or admin";

    /// <summary>"viewer", "operator", "admin".</summary>
    public static string Name(this ApiRole role) => role switch
    {
        ApiRole.Viewer => "viewer",
        ApiRole.Operator => "operator",
        ApiRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not a role"),
    };

    /// <summary>The role called <paramref name="name"/> (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? name, out ApiRole role)
    {
        role = name?.ToLowerInvariant() switch
        {
            "viewer" => ApiRole.Viewer,
            "operator" => ApiRole.Operator,
            "admin" => ApiRole.Admin,
            _ => 0,
        };
        return role != 0;
    }
}
