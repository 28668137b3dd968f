namespace Tessera.Model.Api;

/// <summary>Body of POST /api/tokens: a new token called <see cref="Name"/> with <see cref="Role"/> (viewer, operator or admin).</summary>
public sealed record CreateTokenRequest(string Name, string Role);

/// <summary>
/// The answer to POST /api/tokens: the only time the token itself (<c>tsr_…</c>) is shown. The store keeps its
/// SHA-256 only, so a lost token cannot be shown again: revoke it and create another.
/// </summary>
public sealed record CreatedToken(string Name, string Role, string Token);

/// <summary>One API token as GET /api/tokens lists it: who it is and what it may do, never its secret or hash.</summary>
public sealed record TokenInfo
{
    public required string Name { get; init; }

    /// <summary>viewer, operator or admin.</summary>
    public required string Role { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>The token that created it ("controller" for the first admin token, written on first start).</summary>
    public required string CreatedBy { get; init; }
}
