using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Tessera.Controller.Health;
using Tessera.Controller.Tests.Support;
using Tessera.Store;

namespace Tessera.Controller.Tests.Health;

/// <summary>
/// The quorum's view in the store: memberships and "down" opinions on one lease per controller, over a file store
/// whose leases run on a clock the test moves.
/// </summary>
public sealed class OpinionBoardTests : IAsyncLifetime
{
    private const string Server = "127.0.0.1:7001";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<OpinionBoard> _boards = [];
    private ICoordinatorStore _store = null!;

    public Task InitializeAsync()
    {
        _store = StoreFactory.Open(_directory.StoreUrl, _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var board in _boards)
        {
            await board.DisposeAsync();
        }

        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_controller_alone_decides_for_itself_even_before_it_registered()
    {
        var a = Board("a");
        Assert.Equal(["a"], (await a.ReadVotesAsync(default)).Members);

        await a.SyncAsync(Down("a"), default);

        var votes = await a.ReadVotesAsync(default);
        Assert.Equal(["a"], votes.DownBy(Server));
        Assert.True(votes.IsMajority(Server));
    }

    [Fact]
    public async Task A_server_is_down_for_the_quorum_when_more_than_half_of_the_live_controllers_say_so()
    {
        var a = Board("a");
        var b = Board("b");
        var c = Board("c");
        await a.SyncAsync(Down("a"), default);
        await b.SyncAsync(None, default);
        await c.SyncAsync(None, default);

        var one = await a.ReadVotesAsync(default);
        Assert.Equal(3, one.Members.Count);
        Assert.False(one.IsMajority(Server));

        await b.SyncAsync(Down("b"), default);
        var two = await c.ReadVotesAsync(default);
        Assert.Equal(["a", "b"], two.DownBy(Server).Order(StringComparer.Ordinal));
        Assert.True(two.IsMajority(Server));
        Assert.Empty(two.DownBy("127.0.0.1:7002"));
    }

    [Fact]
    public async Task A_withdrawn_opinion_is_deleted()
    {
        var a = Board("a");
        await a.SyncAsync(Down("a"), default);
        Assert.Equal([Server], a.Written);

        await a.SyncAsync(None, default);

        Assert.Empty(a.Written);
        Assert.Empty((await a.ReadVotesAsync(default)).DownBy(Server));
    }

    [Fact]
    public async Task An_opinion_left_by_an_unregistered_controller_does_not_vote()
    {
        var a = Board("a");
        await a.SyncAsync(None, default);
        var ghost = new ServerOpinion("ghost", Server, _time.GetUtcNow(), "gone");
        await _store.PutAsync(StorePaths.ControllerOpinion("ghost", Server), System.Text.Json.JsonSerializer.Serialize(ghost, Model.Api.TesseraJson.Options));

        var votes = await a.ReadVotesAsync(default);

        Assert.Empty(votes.DownBy(Server));
        Assert.DoesNotContain("ghost", votes.Members);
    }

    [Fact]
    public async Task Each_sync_renews_the_membership_so_it_outlives_its_first_ttl()
    {
        var a = Board("a");
        var b = Board("b");
        await a.SyncAsync(Down("a"), default);
        for (var i = 0; i < 4; i++)
        {
            // Past a third of the TTL each time: the sync renews the lease before it writes.
            _time.Advance(TimeSpan.FromSeconds(2));
            await a.SyncAsync(Down("a"), default);
        }

        var votes = await b.ReadVotesAsync(default);
        Assert.Contains("a", votes.Members);
        Assert.Equal(["a"], votes.DownBy(Server));
    }

    [Fact]
    public async Task A_membership_that_expired_takes_its_opinions_along_and_the_next_sync_writes_both_again()
    {
        var a = Board("a");
        var b = Board("b");
        await a.SyncAsync(Down("a"), default);

        _time.Advance(Ttl + TimeSpan.FromSeconds(1));
        var silent = await b.ReadVotesAsync(default);
        Assert.DoesNotContain("a", silent.Members);
        Assert.Empty(silent.DownBy(Server));

        await a.SyncAsync(Down("a"), default);
        var back = await b.ReadVotesAsync(default);
        Assert.Contains("a", back.Members);
        Assert.Equal(["a"], back.DownBy(Server));
    }

    [Fact]
    public async Task Stepping_down_revokes_the_membership_at_once_but_a_crash_leaves_it_to_expire()
    {
        var a = Board("a");
        var crashed = Board("crashed");
        var b = Board("b");
        await a.SyncAsync(Down("a"), default);
        await crashed.SyncAsync(Down("crashed"), default);

        await a.DisposeAsync();
        crashed.Abandon();
        await crashed.DisposeAsync();

        var votes = await b.ReadVotesAsync(default);
        Assert.DoesNotContain("a", votes.Members);
        Assert.Equal(["crashed"], votes.DownBy(Server));

        _time.Advance(Ttl + TimeSpan.FromSeconds(1));
        Assert.Empty((await b.ReadVotesAsync(default)).DownBy(Server));
    }

    private static Dictionary<string, ServerOpinion> None => [];

    private OpinionBoard Board(string id)
    {
        var board = new OpinionBoard(_store, id, Ttl, _time, NullLogger.Instance) { Url = $"http://{id}" };
        _boards.Add(board);
        return board;
    }

    private Dictionary<string, ServerOpinion> Down(string controller) =>
        new(StringComparer.OrdinalIgnoreCase) { [Server] = new ServerOpinion(controller, Server, _time.GetUtcNow(), "connection refused") };
}
