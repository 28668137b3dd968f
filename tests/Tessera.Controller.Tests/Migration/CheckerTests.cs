using Tessera.Checker.Counters;
using Tessera.Controller.Tests.Support;

namespace Tessera.Controller.Tests.Migration;

/// <summary>The load checker itself, straight against a redis-server: quiet when all is well, loud when values go back.</summary>
public sealed class CheckerTests
{
    [Fact]
    public async Task A_healthy_server_passes_and_one_that_loses_writes_is_caught()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 1);
        var options = new CheckerOptions { Endpoints = [redis[0].Endpoint], Writers = 2, Readers = 2, Keys = 50, Duration = TimeSpan.FromSeconds(2), Reset = true };

        var healthy = await new CounterChecker(options).RunAsync();
        Assert.True(healthy.Ok, string.Join("; ", healthy.Samples));
        // Only "it did real work": a CI machine under load once managed 19 INCRs in one second, so no rate is asserted.
        Assert.True(healthy.Acknowledged >= 10, $"{healthy.Acknowledged} acknowledged");
        Assert.True(healthy.Reads >= 10, $"{healthy.Reads} reads");
        Assert.Equal(0, healthy.Errors);

        // A second run continues from the values left by the first (no reset), while something keeps rolling counters back.
        using var sabotage = new CancellationTokenSource();
        var saboteur = Task.Run(async () =>
        {
            await using var client = await redis[0].ConnectAsync();
            while (!sabotage.IsCancellationRequested)
            {
                await client.CallAsync(["MSET", .. Enumerable.Range(0, 50).SelectMany(i => new object[] { $"chk:{i}", "1" })]);
                await Task.Delay(20);
            }
        });
        var broken = await new CounterChecker(options with { Reset = false }).RunAsync();
        await sabotage.CancelAsync();
        await saboteur;
        Assert.False(broken.Ok);
        Assert.True(broken.Stale > 0, "stale reads were not noticed");
        Assert.True(broken.Lost > 0, "lost writes were not noticed");
        Assert.Contains(broken.Samples, s => s.StartsWith("stale read: GET chk:", StringComparison.Ordinal));
    }
}
