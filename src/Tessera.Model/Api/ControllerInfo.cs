namespace Tessera.Model.Api;

/// <summary>
/// The value of the leader lock in the store (<c>/tessera/controller/leader</c>, ephemeral with the leader's
/// lease): which controller leads and where its API is.
/// </summary>
public sealed record ControllerLeader
{
    public required string Id { get; init; }

    /// <summary>Base URL of the leader's HTTP API, e.g. http://127.0.0.1:18080.</summary>
    public required string Url { get; init; }

    public int ProcessId { get; init; }

    public DateTimeOffset ElectedAt { get; init; }
}

/// <summary>Answer of GET /api/controller: who answered, whether it leads, and who does.</summary>
public sealed record ControllerInfo
{
    public required string Id { get; init; }

    /// <summary>Base URL of this controller's API.</summary>
    public required string Url { get; init; }

    /// <summary>True when this controller holds the leader lock and accepts changes.</summary>
    public bool IsLeader { get; init; }

    /// <summary>The leader as last read from the store, or null when none is known.</summary>
    public ControllerLeader? Leader { get; init; }

    /// <summary>The coordinator store URL.</summary>
    public required string Store { get; init; }
}
