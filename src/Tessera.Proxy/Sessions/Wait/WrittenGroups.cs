using Tessera.Proxy.Routing;

namespace Tessera.Proxy.Sessions.Wait;

/// <summary>
/// The groups a session sent replicated writes to: the ones a later WAIT asks. A bit per group id below 64, a set
/// (created on first use) for larger ids, so recording a command's group allocates nothing.
/// </summary>
/// <remarks>
/// A mutable struct kept in place, as a field of its session (which changes it from the session thread; WAIT reads
/// it from its own task, as the session reads nothing while WAIT runs). Copies share the set of large ids, so the
/// record is passed by reference (<c>ref readonly</c>, <c>in</c>), never copied and changed. Nothing resets it: Redis
/// keeps a connection's write offset across RESET too; assigning <c>default</c> would forget every group.
/// </remarks>
internal struct WrittenGroups
{
    private ulong _low;
    private HashSet<int>? _high;

    // Read-your-writes (architecture §10): the groups written since the session last went a whole read-your-writes
    // time without writing (a bit per id below 63, bit 63 for every larger id), and when it last wrote. Coarser than a
    // time per group, and never wrong in the direction that matters: a group written within the time is always in it.
    private ulong _recent;
    private long _lastWriteAt;

    /// <summary>True once any write was recorded.</summary>
    public readonly bool Any => _low != 0 || _high is { Count: > 0 };

    /// <summary>Records that a command reaches <paramref name="group"/>, when the command <paramref name="writes"/>.</summary>
    public void Note(GroupRoute? group, bool writes)
    {
        if (writes && group is not null)
        {
            Add(group.Id);
        }
    }

    /// <summary>A command sent to every group of <paramref name="routes"/> (FLUSHDB, FUNCTION LOAD...), when it <paramref name="writes"/>.</summary>
    public void NoteEvery(NamespaceRoutes routes, bool writes)
    {
        if (!writes)
        {
            return;
        }

        foreach (var group in routes.Groups)
        {
            Add(group.Id);
        }
    }

    /// <summary>True when a write to group <paramref name="groupId"/> was recorded.</summary>
    public readonly bool Contains(int groupId) =>
        (uint)groupId < 64 ? (_low & (1UL << groupId)) != 0 : _high?.Contains(groupId) == true;

    /// <summary>
    /// True when group <paramref name="groupId"/> was written within the last <paramref name="windowMs"/> ms: its reads
    /// must go to the master. Forgets the recent groups once that long passed without a write.
    /// </summary>
    public bool WroteRecently(int groupId, int windowMs)
    {
        if (_recent == 0 || windowMs <= 0)
        {
            return false;
        }

        if (Environment.TickCount64 - _lastWriteAt >= windowMs)
        {
            _recent = 0;
            return false;
        }

        return (_recent & RecentBit(groupId)) != 0;
    }

    private static ulong RecentBit(int id) => (uint)id < 63 ? 1UL << id : 1UL << 63;

    private void Add(int id)
    {
        _recent |= RecentBit(id);
        _lastWriteAt = Environment.TickCount64;
        if ((uint)id < 64)
        {
            _low |= 1UL << id;
        }
        else
        {
            (_high ??= []).Add(id);
        }
    }
}
