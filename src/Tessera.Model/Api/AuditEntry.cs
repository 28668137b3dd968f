namespace Tessera.Model.Api;

/// <summary>
/// One admin change as the audit log keeps it (GET /api/audit, <c>tessera audit</c>): who (token and role), from
/// where, what (method, path, route template and values) and how it ended (HTTP status). Request bodies are never
/// kept: some carry secrets.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>How many of the newest entries the store keeps (and the most the API returns).</summary>
    public const int Kept = 500;

    /// <summary>When the controller finished answering (UTC, its clock).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The controller that answered.</summary>
    public required string Controller { get; init; }

    /// <summary>The token's name ("cluster-secret" for a proxy's call).</summary>
    public required string Token { get; init; }

    public required string Role { get; init; }

    /// <summary>The caller's address ("127.0.0.1:53122").</summary>
    public required string Client { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>The route template that answered ("/api/namespaces/{ns}/groups"), or null when none matched.</summary>
    public string? Route { get; init; }

    /// <summary>The route's values ({"ns": "shop"}).</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();

    /// <summary>The HTTP status of the answer (2xx done, 4xx refused, 5xx failed or not now).</summary>
    public required int Status { get; init; }
}
