using Tessera.Proxy.Backends;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Sessions.Wait;
using Tessera.Proxy.Tests.Support;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>The record of the groups a session wrote to, which WAIT asks: bits below id 64, a set beyond.</summary>
public sealed class WrittenGroupsTests
{
    private static readonly BackendServer Master = TestRoutes.Server(1);

    [Fact]
    public void Ids_below_64_are_recorded_each_alone()
    {
        var written = default(WrittenGroups);
        Assert.False(written.Any);

        written.Note(Group(0), writes: true);
        written.Note(Group(5), writes: true);
        written.Note(Group(63), writes: true);

        Assert.True(written.Any);
        Assert.Equal([0, 5, 63], Recorded(written));
    }

    [Fact]
    public void Ids_of_64_and_more_are_recorded_apart_from_the_low_ones()
    {
        var written = default(WrittenGroups);
        written.Note(Group(64), writes: true);
        written.Note(Group(1000), writes: true);

        Assert.True(written.Any);
        Assert.Equal([64, 1000], Recorded(written));
    }

    [Fact]
    public void Commands_that_do_not_write_and_missing_groups_record_nothing()
    {
        var written = default(WrittenGroups);
        written.Note(Group(3), writes: false);
        written.Note(Group(70), writes: false);
        written.Note(null, writes: true);
        written.NoteEvery(TestRoutes.Namespace(Group(1), Group(80)), writes: false);

        Assert.False(written.Any);
        Assert.Empty(Recorded(written));
    }

    [Fact]
    public void A_write_on_every_group_records_each_of_them()
    {
        var written = default(WrittenGroups);
        written.NoteEvery(TestRoutes.Namespace(Group(2), Group(9), Group(64), Group(200)), writes: true);

        Assert.Equal([2, 9, 64, 200], Recorded(written));
    }

    [Fact]
    public void Resetting_to_default_forgets_low_and_high_ids()
    {
        var written = default(WrittenGroups);
        written.Note(Group(1), writes: true);
        written.Note(Group(100), writes: true);

        written = default;

        Assert.False(written.Any);
        Assert.Empty(Recorded(written));

        written.Note(Group(100), writes: true);
        Assert.Equal([100], Recorded(written));
    }

    private static GroupRoute Group(int id) => TestRoutes.Group(id, Master);

    /// <summary>Every id from -1 to 1024 the record contains.</summary>
    private static List<int> Recorded(in WrittenGroups written)
    {
        var ids = new List<int>();
        for (int id = -1; id <= 1024; id++)
        {
            if (written.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }
}
