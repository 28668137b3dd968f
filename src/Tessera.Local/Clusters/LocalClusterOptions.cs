namespace Tessera.Local.Clusters;

/// <summary>What <see cref="LocalCluster.StartAsync"/> starts: <see cref="Groups"/> × (1 master + <see cref="Replicas"/> replicas).</summary>
public sealed record LocalClusterOptions
{
    /// <summary>Parent directory; each server gets a subfolder (<c>group1-master</c>, <c>group1-replica1</c>, ...).</summary>
    public required string Directory { get; init; }

    /// <summary>Number of groups (1..1024); each owns an equal contiguous share of the 1024 slots.</summary>
    public int Groups { get; init; } = 2;

    /// <summary>Replicas per group (0..16).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>
    /// First port: servers take BasePort, BasePort+1, ... in order group1 master, group1 replicas, group2 master...
    /// 0 (default) picks free ports.
    /// </summary>
    public int BasePort { get; init; }

    /// <summary>Namespace of the generated topology.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Extra redis-server arguments for every server (e.g. <c>["--maxmemory", "64mb"]</c>).</summary>
    public IReadOnlyList<string> ServerArgs { get; init; } = [];

    /// <summary>The redis-server executable.</summary>
    public string Executable { get; init; } = "redis-server";

    /// <summary>Bound on starting each server.</summary>
    public TimeSpan ServerStartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// True (default): replicas are pointed at their masters with <c>REPLICAOF</c> and the start waits until each
    /// is in sync. False: every server starts as a bare master and <see cref="LocalGroup.Replicas"/> only names
    /// the intended replicas; whoever builds the cluster (the controller, for <c>tessera up</c>) replicates them.
    /// </summary>
    public bool Replicate { get; init; } = true;

    /// <summary>Bound on each replica reaching <c>master_link_status:up</c> (when <see cref="Replicate"/>).</summary>
    public TimeSpan ReplicationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound on a graceful stop of each server before it is killed.</summary>
    public TimeSpan ServerStopTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
