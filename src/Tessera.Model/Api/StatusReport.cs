using Tessera.Model.Proxies;

namespace Tessera.Model.Api;

/// <summary>Answer of GET /api/status: the controller, every namespace with its groups and servers as they answer now, every proxy.</summary>
public sealed record StatusReport
{
    public required ControllerInfo Controller { get; init; }

    public IReadOnlyList<NamespaceStatus> Namespaces { get; init; } = [];

    public IReadOnlyList<ProxyStatus> Proxies { get; init; } = [];
}

/// <summary>One namespace as stored, with live server state.</summary>
public sealed record NamespaceStatus
{
    public required string Name { get; init; }

    public long Epoch { get; init; }

    /// <summary>The routing signature of the stored namespace; a proxy with another one serves other routes.</summary>
    public required string Signature { get; init; }

    /// <summary>Slots assigned to some group (out of 1024).</summary>
    public int AssignedSlots { get; init; }

    public IReadOnlyList<GroupStatus> Groups { get; init; } = [];
}

/// <summary>One group: its slot count and its servers.</summary>
public sealed record GroupStatus
{
    public int Id { get; init; }

    public int Slots { get; init; }

    public IReadOnlyList<ServerStatus> Servers { get; init; } = [];
}

/// <summary>A server as configured and as it answered INFO replication just now.</summary>
public sealed record ServerStatus
{
    public required string Address { get; init; }

    /// <summary>"master" or "replica": its role in the group as stored.</summary>
    public required string Role { get; init; }

    public string? Zone { get; init; }

    /// <summary>
    /// "master", "replica", "busy" (it answers -BUSY: a script runs past busy-reply-threshold; <see cref="Problem"/> says
    /// how to stop it) or "down" (no answer within the probe timeout): what the server says it is.
    /// </summary>
    public required string Observed { get; init; }

    /// <summary>For a replica: which master it replicates from ("host:port") as it reports it.</summary>
    public string? ReplicaOf { get; init; }

    /// <summary>For a replica: "up" or "down", its link to the master.</summary>
    public string? MasterLink { get; init; }

    /// <summary>Replication offset (master_repl_offset or slave_repl_offset).</summary>
    public long? Offset { get; init; }

    /// <summary>Why it is "down", or what disagrees with the stored role.</summary>
    public string? Problem { get; init; }

    /// <summary>For a replica: true when the leader last measured it fresh, so proxies may send it reads (architecture §10).</summary>
    public bool? Fresh { get; init; }
}

/// <summary>A registered proxy and what it reports about the namespaces it serves.</summary>
public sealed record ProxyStatus
{
    public required ProxyRecord Proxy { get; init; }

    /// <summary>False when its admin API did not answer within the probe timeout.</summary>
    public bool Reachable { get; init; }

    /// <summary>True while it refuses clients because it could not renew its lease.</summary>
    public bool Fenced { get; init; }

    /// <summary>Why it is unreachable, when it is.</summary>
    public string? Problem { get; init; }

    /// <summary>Every stored namespace and every namespace the proxy reports, compared.</summary>
    public IReadOnlyList<ProxyNamespaceStatus> Namespaces { get; init; } = [];
}

/// <summary>One namespace on one proxy next to the stored one.</summary>
public sealed record ProxyNamespaceStatus
{
    public required string Name { get; init; }

    /// <summary>Epoch the proxy applied, or null when it does not serve the namespace.</summary>
    public long? Epoch { get; init; }

    public string? Signature { get; init; }

    /// <summary>Epoch in the store, or null when the namespace is not stored (the proxy serves a removed one).</summary>
    public long? StoredEpoch { get; init; }

    /// <summary>True when the proxy's signature equals the stored namespace's.</summary>
    public bool Matches { get; init; }
}
