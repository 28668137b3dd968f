using System.Text;
using Tessera.Proxy.Sessions.Tracking;
using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Client;

namespace Tessera.Proxy.Tests.Sessions.Tracking;

/// <summary>One real redis-server: the reference for CLIENT TRACKING's argument checks.</summary>
public sealed class TrackingReferenceServer : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("tessera-tracking");
    private RedisServers? _servers;

    public RedisServers Servers => _servers!;

    public async Task InitializeAsync() => _servers = await RedisServers.StartAsync(_directory, 1);

    public async Task DisposeAsync()
    {
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }

        _directory.Dispose();
    }
}

/// <summary>
/// TrackingOptions.Parse alone, checked against a real redis-server 7: the same CLIENT TRACKING sequence on one
/// connection of the server and through Parse (carrying the options from one call to the next) must accept and
/// refuse alike, with Redis's error texts byte for byte.
/// </summary>
public sealed class TrackingOptionsTests(TrackingReferenceServer reference) : IClassFixture<TrackingReferenceServer>
{
    public static TheoryData<string[]> Sequences => new()
    {
        new[] { "ON" },
        new[] { "OFF" },
        new[] { "MAYBE" },
        new[] { "ON FOO" },
        new[] { "ON PREFIX a" },
        new[] { "ON BCAST OPTIN" },
        new[] { "ON BCAST OPTOUT" },
        new[] { "ON OPTIN OPTOUT" },
        new[] { "ON REDIRECT notanumber" },
        new[] { "ON REDIRECT 987654321" },
        new[] { "ON BCAST PREFIX a PREFIX ab" },
        new[] { "ON BCAST PREFIX ab PREFIX a" },
        new[] { "ON BCAST PREFIX a PREFIX b NOLOOP" },
        new[] { "ON BCAST PREFIX a", "ON BCAST PREFIX ab" },
        new[] { "ON BCAST PREFIX a", "ON BCAST PREFIX b" },
        new[] { "ON BCAST", "ON" },
        new[] { "ON", "ON BCAST" },
        new[] { "ON OPTIN", "ON OPTOUT" },
        new[] { "ON OPTIN", "ON OPTIN NOLOOP" },
        new[] { "ON BCAST PREFIX a", "OFF", "ON OPTIN" },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public async Task Parse_accepts_and_refuses_as_redis_server_does(string[] sequence)
    {
        await using var client = await reference.Servers[0].ConnectAsync(TimeSpan.FromSeconds(5));
        TrackingOptions? current = null;
        foreach (string step in sequence)
        {
            var args = new[] { "CLIENT", "TRACKING" }.Concat(step.Split(' ')).ToArray();
            var expected = await client.CallAsync(args);
            string? expectedError = expected.IsError ? expected.AsString() : null;

            var parsed = TrackingOptions.Parse(Frames.Parse(args), current, static _ => false, out string? error);
            Assert.True(expectedError == error, $"CLIENT TRACKING {step} (after {string.Join(", ", sequence.TakeWhile(s => s != step))}): redis-server answered {expectedError ?? "OK"}, Parse {error ?? "OK"}");
            if (error is null)
            {
                current = parsed;
            }
        }
    }

    [Fact]
    public void Bcast_prefixes_add_up_sorted_and_the_backend_gets_them_without_redirect()
    {
        var first = TrackingOptions.Parse(Frames.Parse("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "REDIRECT", "12"), null, static id => id == 12, out var error);
        Assert.Null(error);
        var second = TrackingOptions.Parse(Frames.Parse("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "cart:", "NOLOOP"), first, static _ => true, out error);
        Assert.Null(error);
        Assert.Equal(["cart:", "user:"], second!.Prefixes.Select(static p => Encoding.UTF8.GetString(p)));
        Assert.True(second.Bcast && second.NoLoop);
        Assert.Equal(12, first!.Redirect);

        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        second.WriteEnableCommand(writer);
        Assert.Equal(Encoding.UTF8.GetString(RawConnection.Command("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "cart:", "PREFIX", "user:", "NOLOOP")), Encoding.UTF8.GetString(writer.WrittenSpan));
    }

    [Fact]
    public void Bcast_without_a_prefix_tracks_every_key()
    {
        var options = TrackingOptions.Parse(Frames.Parse("CLIENT", "TRACKING", "ON", "BCAST"), null, static _ => false, out var error);
        Assert.Null(error);
        Assert.Equal([""], options!.Prefixes.Select(static p => Encoding.UTF8.GetString(p)));
    }
}
