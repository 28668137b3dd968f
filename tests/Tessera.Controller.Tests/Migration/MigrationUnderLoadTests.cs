using System.Globalization;
using Tessera.Checker.Counters;
using Tessera.Controller.Migration;
using Tessera.Controller.Rebalance;
using Tessera.Model.Topology;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Migration;

/// <summary>
/// The proof of issue 4: while writers and readers go through two proxies, slots move from group 1 to group 2
/// (by rebalance) and back (by migrate); no acknowledged write is lost, no read goes backwards, and at the end
/// every key is on the group the slot table names, on the backends themselves.
/// </summary>
public sealed class MigrationUnderLoadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;

    public MigrationUnderLoadTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Slots_move_there_and_back_under_load_with_nothing_lost_or_stale()
    {
        await using var cluster = await MigrationCluster.StartAsync(groups: 2, proxies: 2);
        await cluster.FillAsync(1, "fill", 20_000);
        var checker = new CounterChecker(new CheckerOptions
        {
            Endpoints = [.. cluster.Proxies.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Endpoint.Address}:{p.Endpoint.Port}"))],
            Writers = 6,
            Readers = 4,
            Keys = 2000,
            Reset = true,
        });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var run = checker.RunAsync(stop.Token);
        await WaitForAsync(() => checker.Acknowledged >= 3000, "3000 acknowledged writes before the first move");

        // There: an even split by rebalance (slots 512..1023 to the new group), the mover throttled so that it
        // overlaps with clients moving the keys they touch.
        var throttled = new MigrationSettings { KeysPerSecond = 10_000, BatchKeys = 50 };
        var plan = await cluster.Client.RebalanceAsync(MigrationCluster.Ns, new RebalanceRequest { Settings = throttled });
        var move = Assert.Single(plan.Plan.Moves);
        Assert.Equal(new SlotMove(512, 1023, 1, 2), move);
        var there = await cluster.WaitAsync(Assert.Single(plan.Migrations).Id, Bound);
        Assert.Equal(MigrationState.Done, there.State);
        var ackedThere = checker.Acknowledged;
        await AssertPlacementAsync(cluster);

        // And back, while the load goes on.
        await WaitForAsync(() => checker.Acknowledged >= ackedThere + 2000, "2000 more writes after the first move");
        var back = await cluster.Client.StartMigrationAsync(MigrationCluster.Ns, 512, 1023, 1, throttled);
        Assert.Equal(MigrationState.Done, (await cluster.WaitAsync(back.Id, Bound)).State);
        var ackedBack = checker.Acknowledged;
        await WaitForAsync(() => checker.Acknowledged >= ackedBack + 2000, "2000 more writes after moving back");

        await stop.CancelAsync();
        var summary = await run;
        _output.WriteLine($"checker: {summary.Acknowledged} acknowledged, {summary.Reads} reads, {summary.Lost} lost, {summary.Stale} stale, {summary.Excess} excess, {summary.Errors} errors, p99 {summary.WriteP99Ms} ms, max {summary.WriteMaxMs} ms");
        foreach (var sample in summary.Samples)
        {
            _output.WriteLine("  " + sample);
        }

        Assert.True(summary.Acknowledged > 7000, $"only {summary.Acknowledged} writes acknowledged");
        Assert.Equal(0, summary.Lost);
        Assert.Equal(0, summary.Stale);
        Assert.Equal(0, summary.Excess);
        Assert.Equal(0, summary.Errors);
        await AssertPlacementAsync(cluster);
        var keys = (await cluster.KeysAsync(1)).Count + (await cluster.KeysAsync(2)).Count;
        Assert.Equal(20_000 + 2000, keys);
    }

    /// <summary>Every key on the backends sits on the group that owns its slot in the stored table, and nowhere else.</summary>
    private static async Task AssertPlacementAsync(MigrationCluster cluster)
    {
        var view = await cluster.Client.GetSlotsAsync(MigrationCluster.Ns);
        Assert.All(view.Ranges, r => Assert.Equal(SlotState.Online, r.State));
        var owner = new int[1024];
        foreach (var range in view.Ranges)
        {
            for (var slot = range.From; slot <= range.To; slot++)
            {
                owner[slot] = range.Group;
            }
        }

        foreach (var group in new[] { 1, 2 })
        {
            var misplaced = (await cluster.KeysAsync(group)).Where(k => owner[MigrationCluster.SlotOf(k)] != group).Take(5).ToList();
            Assert.True(misplaced.Count == 0, $"group {group} holds keys of slots it does not own: {string.Join(", ", misplaced)}");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{what} did not happen within {Bound.TotalSeconds} s");
            }

            await Task.Delay(50);
        }
    }
}
