using System.Text.Json.Serialization;

namespace Tessera.Model.Topology;

/// <summary>Where a namespace's read-only commands go (architecture §10). Writes always go to the master.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReadMode>))]
public enum ReadMode
{
    /// <summary>Every command goes to the master (the default).</summary>
    Master = 0,

    /// <summary>Reads go to a fresh replica; when the group has none, they are refused with -TRYAGAIN rather than sent to the master.</summary>
    Replica,

    /// <summary>Reads go to a fresh replica, or to the master when the group has none.</summary>
    PreferReplica,

    /// <summary>Reads go to a fresh replica in the proxy's zone, then to <see cref="ReadSettings.Fallback"/>.</summary>
    Nearest,
}

/// <summary>Where <see cref="ReadMode.Nearest"/> reads go when no fresh replica is in the proxy's zone.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReadFallback>))]
public enum ReadFallback
{
    /// <summary>A fresh replica in another zone, else the master (the default).</summary>
    ReplicasThenMaster = 0,

    /// <summary>The master.</summary>
    Master,

    /// <summary>A fresh replica in another zone, else refused with -TRYAGAIN.</summary>
    Replicas,
}

/// <summary>
/// A namespace's read routing, changed online like any namespace setting. Only read-only commands of the command table
/// outside MULTI and client tracking, on slots that are neither migrating nor locked, ever go to a replica, and only to
/// one the controller last measured fresh: linked to its master, not syncing, at most <see cref="MaxLagBytes"/> of
/// replication stream behind it.
/// </summary>
public sealed record ReadSettings
{
    /// <summary>The default: every read at the master, a replica fresh within 1 MiB, read-your-writes for 1 s.</summary>
    public static ReadSettings Default { get; } = new();

    public ReadMode Mode { get; init; } = ReadMode.Master;

    /// <summary>How far (bytes of replication offset) a replica may be behind its master and still serve reads.</summary>
    public long MaxLagBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Read-your-writes: for this long after a session wrote to a group, its reads of that group go to the master. 0
    /// turns it off.
    /// </summary>
    public int ReadYourWritesMs { get; init; } = 1000;

    /// <summary>Where <see cref="ReadMode.Nearest"/> reads go when the proxy's zone has no fresh replica.</summary>
    public ReadFallback Fallback { get; init; } = ReadFallback.ReplicasThenMaster;

    /// <summary>The mode's name as the CLI and INFO write it: master, replica, prefer-replica, nearest.</summary>
    public static string Name(ReadMode mode) => mode switch
    {
        ReadMode.Replica => "replica",
        ReadMode.PreferReplica => "prefer-replica",
        ReadMode.Nearest => "nearest",
        _ => "master",
    };

    /// <summary>The fallback's name as the CLI writes it: replicas-then-master, master, replicas.</summary>
    public static string Name(ReadFallback fallback) => fallback switch
    {
        ReadFallback.Master => "master",
        ReadFallback.Replicas => "replicas",
        _ => "replicas-then-master",
    };

    /// <summary>Parses a mode name (<see cref="Name(ReadMode)"/>, any case); false for anything else.</summary>
    public static bool TryParse(string? text, out ReadMode mode)
    {
        foreach (var candidate in Enum.GetValues<ReadMode>())
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = ReadMode.Master;
        return false;
    }

    /// <summary>Parses a fallback name (<see cref="Name(ReadFallback)"/>, any case); false for anything else.</summary>
    public static bool TryParse(string? text, out ReadFallback fallback)
    {
        foreach (var candidate in Enum.GetValues<ReadFallback>())
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                fallback = candidate;
                return true;
            }
        }

        fallback = ReadFallback.ReplicasThenMaster;
        return false;
    }
}

/// <summary>
/// The replicas of a namespace that may serve reads, as the leading controller last measured them; stored at
/// <c>/tessera/namespaces/{ns}/reads</c> and followed by every proxy through the store watch. Written only when the
/// set changes. A group absent here has no fresh replica.
/// </summary>
public sealed record FreshReplicas
{
    /// <summary>Group id → its fresh replicas, with the master they were measured against.</summary>
    public IReadOnlyDictionary<int, FreshGroup> Groups { get; init; } = new Dictionary<int, FreshGroup>();

    /// <summary>When the measurement that changed the set was taken.</summary>
    public DateTimeOffset MeasuredAt { get; init; }

    /// <summary>
    /// The fresh replicas of group <paramref name="groupId"/> while its master is <paramref name="master"/>; empty when
    /// none, or when they were measured against another master (a failover since: they may be resyncing).
    /// </summary>
    public IReadOnlyList<string> Of(int groupId, string master) =>
        Groups.GetValueOrDefault(groupId) is { } group && string.Equals(group.Master, master, StringComparison.OrdinalIgnoreCase) ? group.Replicas : [];

    /// <summary>True when both name the same masters and replicas per group (order aside); the time is not compared.</summary>
    public bool SameSets(FreshReplicas? other)
    {
        if (other is null)
        {
            return false;
        }

        var groups = Groups.Where(static g => g.Value.Replicas.Count > 0).ToList();
        if (groups.Count != other.Groups.Count(static g => g.Value.Replicas.Count > 0))
        {
            return false;
        }

        foreach (var (id, group) in groups)
        {
            if (!other.Of(id, group.Master).ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(group.Replicas))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A group's fresh replicas (<paramref name="Replicas"/>) as measured against its master <paramref name="Master"/>.</summary>
public sealed record FreshGroup(string Master, IReadOnlyList<string> Replicas);
