namespace Tessera.Clients.Tests.Differential;

/// <summary>
/// The same command sequences sent to a plain redis-server and through a proxy over two groups; every reply must be
/// the same bytes, except the by-design differences (docs/commands.md) and the known proxy bugs (<see cref="KnownDifferences"/>).
/// </summary>
public sealed class DifferentialTests(DifferentialServers servers) : IClassFixture<DifferentialServers>
{
    public static TheoryData<string> HandWritten { get; } = new(HandWrittenCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(HandWritten))]
    public async Task Hand_written_case_replies_the_same(string name)
    {
        var comparison = await RunAsync([HandWrittenCases.All.Single(c => c.Name == name)]);
        AssertNoFailures(comparison);
    }

    [Fact]
    public async Task Every_command_with_a_wrong_arity_gets_the_same_error()
    {
        var cases = GeneratedCases.WrongArity().ToList();
        Assert.True(cases.Count > 200, $"only {cases.Count} wrong-arity cases were generated");
        AssertNoFailures(await RunAsync(cases));
    }

    [Fact]
    public async Task Every_command_with_its_fewest_arguments_replies_the_same()
    {
        var cases = GeneratedCases.ValidArity().ToList();
        Assert.True(cases.Count > 200, $"only {cases.Count} valid-arity cases were generated");
        AssertNoFailures(await RunAsync(cases));
    }

    [Fact]
    public async Task Every_by_design_difference_shows_in_the_hand_written_cases()
    {
        var comparison = await RunAsync(HandWrittenCases.All);
        var unseen = Tessera.Proxy.Commands.ByDesignDifferences.All.Where(d => d.TestedBy is null && !comparison.ByDesignSeen.Contains(d)).ToList();
        Assert.True(unseen.Count == 0, "by-design differences no hand-written case shows (add a case, or drop the entry):\n" +
            string.Join('\n', unseen.Select(d => $"{d.Commands}: {d.Pattern}")));
    }

    [Fact]
    public void Every_known_difference_names_a_case_that_exists()
    {
        var names = HandWrittenCases.All.Concat(GeneratedCases.WrongArity()).Concat(GeneratedCases.ValidArity()).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(KnownDifferences.All, k => Assert.True(names.Contains(k.Case), $"KnownDifferences names case '{k.Case}', which no longer exists"));
    }

    private async Task<DiffComparison> RunAsync(IEnumerable<DiffCase> cases)
    {
        var comparison = new DiffComparison();
        foreach (var diffCase in cases)
        {
            await servers.ResetAsync();
            var redis = await DiffRunner.RunAsync(servers.PlainPort, [servers.PlainPort], diffCase);
            await servers.ResetAsync();
            var proxy = await DiffRunner.RunAsync(servers.Proxy.Port, servers.MasterPorts, diffCase);
            comparison.Compare(diffCase, redis, proxy);
        }

        return comparison;
    }

    private static void AssertNoFailures(DiffComparison comparison) =>
        Assert.True(comparison.Failures.Count == 0, $"{comparison.Failures.Count} difference(s) from redis-server:\n" + string.Join('\n', comparison.Failures));
}
