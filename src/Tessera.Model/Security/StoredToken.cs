using System.Text.Json;
using Tessera.Model.Api;

namespace Tessera.Model.Security;

/// <summary>
/// An API token as the store keeps it at <c>/tessera/security/tokens/{name}</c>: its name, role and the SHA-256 of the
/// token (hex). The token itself is shown once, at creation, and kept nowhere. Controllers check API calls against
/// these, and proxies their admin API's.
/// </summary>
public sealed record StoredToken
{
    public required string Name { get; init; }

    /// <summary>viewer, operator or admin (<see cref="ApiRoles.Name"/>).</summary>
    public required string Role { get; init; }

    /// <summary><see cref="TokenSecrets.Hash"/> of the token.</summary>
    public required string Hash { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>The name of the token that created it, or "controller" for the first admin token.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>The role, or null when the record names one this version does not know (then it grants nothing).</summary>
    public ApiRole? ParsedRole => ApiRoles.TryParse(Role, out var role) ? role : null;

    /// <summary>The token record in <paramref name="json"/>, or null when it is unreadable (it then grants nothing).</summary>
    public static StoredToken? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<StoredToken>(json, TesseraJson.Options);
        }
        catch (JsonException)
        {
            // The callers log the key of a record that grants nothing.
            return null;
        }
    }
}
