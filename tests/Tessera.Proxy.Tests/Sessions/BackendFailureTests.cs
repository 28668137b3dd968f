using Tessera.Proxy;
using Tessera.Proxy.Hosting;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>A backend that dies answers errors to its own requests only, and the pipeline stays in step.</summary>
public sealed class BackendFailureTests : IAsyncLifetime
{
    private readonly ProxyCluster _cluster = new(2, 0, new ProxyOptions { RequestTimeout = TimeSpan.FromSeconds(2) });

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Killing_a_master_mid_pipeline_fails_only_its_requests_in_order()
    {
        string onDying = TestKeys.OnGroup(2, "dying");
        string onLiving = TestKeys.OnGroup(1, "living");
        await using var c = await RawConnection.ConnectAsync(_cluster.Port);
        await using var check = await _cluster.ConnectAsync();
        Reply.Ok(await check.CallAsync("SET", onLiving, "alive"));

        // A long pipeline alternating between the two groups: the first half flows, group 2 dies, the second half follows.
        const int count = 20_000;
        var first = new MemoryStream();
        var second = new MemoryStream();
        for (int i = 0; i < count; i++)
        {
            var target = i < count / 2 ? first : second;
            target.Write(RawConnection.Command("ECHO", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            target.Write(RawConnection.Command("GET", i % 2 == 0 ? onLiving : onDying));
        }

        await c.SendAsync(first.ToArray());
        var killer = Task.CompletedTask;
        _cluster.Cluster.Groups.Single(g => g.Id == 2).Master.Kill();
        var send = c.SendAsync(second.ToArray());

        int errors = 0;
        for (int i = 0; i < count; i++)
        {
            var echo = await c.ReadAsync();
            Reply.Text(i.ToString(System.Globalization.CultureInfo.InvariantCulture), echo!);
            var get = await c.ReadAsync();
            if (i % 2 == 0)
            {
                Reply.Text("alive", get!);
            }
            else if (get!.IsError)
            {
                Assert.Contains(_cluster.Cluster.Groups.Single(g => g.Id == 2).Master.Endpoint, get.AsString(), StringComparison.Ordinal);
                errors++;
            }
        }

        await send.WaitAsync(TimeSpan.FromSeconds(30));
        await killer;
        Assert.True(errors > 0, "the killed backend should have failed some requests");

        // Requests to the dead group fail fast with a reason; the live group keeps serving.
        var started = DateTime.UtcNow;
        Reply.Error("ERR backend", await check.CallAsync("GET", onDying));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Reply.Text("alive", await check.CallAsync("GET", onLiving));
    }
}
