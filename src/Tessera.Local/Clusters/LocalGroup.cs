using Tessera.Local.Servers;

namespace Tessera.Local.Clusters;

/// <summary>
/// One group as it was started: its master, its replicas and its slot range. A snapshot of the start:
/// a test that promotes a replica knows the new roles itself.
/// </summary>
public sealed class LocalGroup
{
    internal LocalGroup(int id, RedisServerProcess master, IReadOnlyList<RedisServerProcess> replicas, int slotFrom, int slotTo)
    {
        Id = id;
        Master = master;
        Replicas = replicas;
        SlotFrom = slotFrom;
        SlotTo = slotTo;
    }

    /// <summary>Group id, 1..N.</summary>
    public int Id { get; }

    public RedisServerProcess Master { get; }

    public IReadOnlyList<RedisServerProcess> Replicas { get; }

    /// <summary>First slot this group owns in the generated topology.</summary>
    public int SlotFrom { get; }

    /// <summary>Last slot (inclusive) this group owns in the generated topology.</summary>
    public int SlotTo { get; }
}
