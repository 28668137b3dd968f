using Tessera.Proxy.Tests.Support;
using Tessera.Resp.Values;

namespace Tessera.Proxy.Tests.Sessions;

/// <summary>
/// Client-side caching through the proxy against two real groups: CLIENT TRACKING turns on per-session tracking
/// connections, and Redis's invalidations reach the client (or its REDIRECT target) as Redis would send them.
/// </summary>
public sealed class ClientTrackingTests : IClassFixture<ProxyCluster>
{
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(10);

    private readonly ProxyCluster _cluster;

    public ClientTrackingTests(ProxyCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Reads_on_both_groups_are_invalidated_when_another_client_writes_them()
    {
        string a = TestKeys.OnGroup(1, "trk-both-a");
        string b = TestKeys.OnGroup(2, "trk-both-b");
        string c = TestKeys.OnGroup(1, "trk-both-c");
        string d = TestKeys.OnGroup(2, "trk-both-d");
        string unread = TestKeys.OnGroup(1, "trk-both-unread");
        await using var tracked = await TrackedAsync("CLIENT", "TRACKING", "ON");
        await CallAsync(tracked, "GET", a);
        await CallAsync(tracked, "GET", b);

        // MGET across the groups is split over the session's tracking connections, so its keys are tracked too.
        Assert.Equal(RespKind.Array, (await CallAsync(tracked, "MGET", c, d)).Kind);

        await using var writer = await _cluster.ConnectAsync();
        foreach (var key in new[] { a, b, c, d, unread })
        {
            Reply.Ok(await writer.CallAsync("SET", key, "new"));
        }

        var invalidated = new HashSet<string>();
        while (invalidated.Count < 4)
        {
            foreach (var key in InvalidatedKeys(await tracked.ReadAsync(PushTimeout)))
            {
                Assert.True(invalidated.Add(key), $"{key} was invalidated twice");
            }
        }

        Assert.Equal(new[] { a, b, c, d }.Order(), invalidated.Order());
        await AssertNoPushAsync(tracked, unread);
    }

    [Fact]
    public async Task Optin_tracks_only_the_read_right_after_client_caching_yes()
    {
        string notCached = TestKeys.OnGroup(1, "trk-optin-no");
        string cached = TestKeys.OnGroup(2, "trk-optin-yes");
        await using var tracked = await TrackedAsync("CLIENT", "TRACKING", "ON", "OPTIN");
        await CallAsync(tracked, "GET", notCached);
        Reply.Ok(await CallAsync(tracked, "CLIENT", "CACHING", "YES"));
        var info = await CallAsync(tracked, "CLIENT", "TRACKINGINFO");
        Assert.Equal(["on", "optin", "caching-yes"], Reply.Strings(info.Items![1]));
        Reply.Ok(await CallAsync(tracked, "CLIENT", "CACHING", "YES"));
        await CallAsync(tracked, "GET", cached);

        await using var writer = await _cluster.ConnectAsync();
        Reply.Ok(await writer.CallAsync("SET", notCached, "1"));
        Reply.Ok(await writer.CallAsync("SET", cached, "1"));
        Assert.Equal([cached], InvalidatedKeys(await tracked.ReadAsync(PushTimeout)));
        await AssertNoPushAsync(tracked, notCached);
    }

    [Fact]
    public async Task Bcast_with_a_prefix_reports_writes_under_the_prefix_on_every_group_without_reads()
    {
        string one = TestKeys.OnGroup(1, "trkbc:one");
        string two = TestKeys.OnGroup(2, "trkbc:two");
        await using var tracked = await TrackedAsync("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "trkbc:");
        var info = await CallAsync(tracked, "CLIENT", "TRACKINGINFO");
        Assert.Equal(["on", "bcast"], Reply.Strings(info.Items![1]));
        Assert.Equal(["trkbc:"], Reply.Strings(info.Items![5]));

        await using var writer = await _cluster.ConnectAsync();
        Reply.Ok(await writer.CallAsync("SET", "other:" + one, "1"));
        Reply.Ok(await writer.CallAsync("SET", one, "1"));
        Reply.Ok(await writer.CallAsync("SET", two, "1"));
        var invalidated = new HashSet<string>();
        while (invalidated.Count < 2)
        {
            foreach (var key in InvalidatedKeys(await tracked.ReadAsync(PushTimeout)))
            {
                Assert.StartsWith("trkbc:", key, StringComparison.Ordinal);
                invalidated.Add(key);
            }
        }

        Assert.Equal(new[] { one, two }.Order(), invalidated.Order());
    }

    [Fact]
    public async Task Redirect_delivers_invalidations_to_a_resp2_client_subscribed_to_the_invalidate_channel()
    {
        string key = TestKeys.OnGroup(2, "trk-redirect");
        await using var target = await RawConnection.ConnectAsync(_cluster.Port);
        long targetId = (await CallAsync(target, "CLIENT", "ID")).Integer;
        await target.SendAsync(RawConnection.Command("SUBSCRIBE", "__redis__:invalidate"));
        Assert.Equal(["subscribe", "__redis__:invalidate", "1"], Reply.Strings((await target.ReadAsync(PushTimeout))!));

        await using var tracked = await TrackedAsync("CLIENT", "TRACKING", "ON", "REDIRECT", targetId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Reply.Integer(targetId, await CallAsync(tracked, "CLIENT", "GETREDIR"));
        await CallAsync(tracked, "GET", key);
        await using var writer = await _cluster.ConnectAsync();
        Reply.Ok(await writer.CallAsync("SET", key, "1"));

        var message = (await target.ReadAsync(PushTimeout))!;
        Assert.Equal(RespKind.Array, message.Kind);
        Reply.Text("message", message.Items![0]);
        Reply.Text("__redis__:invalidate", message.Items[1]);
        Assert.Equal([key], Reply.Strings(message.Items[2]));

        // Nothing went to the tracking client itself.
        await AssertNoPushAsync(tracked, key);
    }

    [Fact]
    public async Task Tracking_errors_match_redis_and_resp2_without_resp3_is_refused()
    {
        await using var resp2 = await RawConnection.ConnectAsync(_cluster.Port);
        Reply.Error("ERR CLIENT TRACKING without REDIRECT needs RESP3", await CallAsync(resp2, "CLIENT", "TRACKING", "ON"));
        Reply.Error("ERR CLIENT TRACKING through Tessera needs RESP3", await CallAsync(resp2, "CLIENT", "TRACKING", "ON", "REDIRECT", (await CallAsync(resp2, "CLIENT", "ID")).Integer.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Reply.Integer(-1, await CallAsync(resp2, "CLIENT", "GETREDIR"));
        Reply.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled", await CallAsync(resp2, "CLIENT", "CACHING", "YES"));

        await using var c = await RawConnection.ConnectAsync(_cluster.Port);
        Assert.Equal(RespKind.Map, (await CallAsync(c, "HELLO", "3")).Kind);
        Reply.Error("ERR The client ID you want redirect to does not exist", await CallAsync(c, "CLIENT", "TRACKING", "ON", "REDIRECT", "987654321"));
        Reply.Error("ERR PREFIX option requires BCAST mode to be enabled", await CallAsync(c, "CLIENT", "TRACKING", "ON", "PREFIX", "a"));
        Reply.Error("ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single client must not overlap.", await CallAsync(c, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "ab"));
        Reply.Error("ERR You can't specify both OPTIN mode and OPTOUT mode", await CallAsync(c, "CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"));
        Reply.Error("ERR syntax error", await CallAsync(c, "CLIENT", "TRACKING", "ON", "SOMETIMES"));
        Reply.Ok(await CallAsync(c, "CLIENT", "TRACKING", "ON", "OPTOUT"));
        Reply.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.", await CallAsync(c, "CLIENT", "CACHING", "YES"));
        Reply.Error("ERR You can't switch BCAST mode on/off", await CallAsync(c, "CLIENT", "TRACKING", "ON", "BCAST"));
        var info = await CallAsync(c, "CLIENT", "TRACKINGINFO");
        Assert.Equal(RespKind.Map, info.Kind);
        Assert.Equal(RespKind.Set, info.Items![1].Kind);
        Assert.Equal(["on", "optout"], Reply.Strings(info.Items[1]));
        Reply.Integer(0, info.Items[3]);
        Reply.Ok(await CallAsync(c, "CLIENT", "TRACKING", "OFF"));
        Assert.Equal(["off"], Reply.Strings((await CallAsync(c, "CLIENT", "TRACKINGINFO")).Items![1]));
        Reply.Integer(-1, (await CallAsync(c, "CLIENT", "TRACKINGINFO")).Items![3]);
    }

    [Fact]
    public async Task A_session_without_tracking_gets_no_invalidations_and_tracking_off_stops_them()
    {
        string key = TestKeys.OnGroup(1, "trk-off");
        await using var plain = await RawConnection.ConnectAsync(_cluster.Port);
        Assert.Equal(RespKind.Map, (await CallAsync(plain, "HELLO", "3")).Kind);
        await CallAsync(plain, "GET", key);

        await using var tracked = await TrackedAsync("CLIENT", "TRACKING", "ON");
        await CallAsync(tracked, "GET", key);
        Reply.Ok(await CallAsync(tracked, "CLIENT", "TRACKING", "OFF"));

        await using var writer = await _cluster.ConnectAsync();
        Reply.Ok(await writer.CallAsync("SET", key, "1"));
        await AssertNoPushAsync(plain, key);
        await AssertNoPushAsync(tracked, key);
    }

    [Fact]
    public async Task A_killed_tracking_connection_sends_a_null_invalidation_and_tracking_resumes()
    {
        string key = TestKeys.OnGroup(1, "trk-kill");
        await using var tracked = await TrackedAsync("CLIENT", "TRACKING", "ON");
        long id = (await CallAsync(tracked, "CLIENT", "ID")).Integer;
        await CallAsync(tracked, "GET", key);

        await using (var master = await _cluster.ConnectToMasterAsync(1))
        {
            string list = (await master.CallAsync("CLIENT", "LIST")).AsString()!;
            string line = list.Split('\n').Single(l => l.Contains($" name=tessera-tracking-{id} ", StringComparison.Ordinal));
            string backendId = line.Split(' ')[0]["id=".Length..];
            Reply.Integer(1, await master.CallAsync("CLIENT", "KILL", "ID", backendId));
        }

        var flush = (await tracked.ReadAsync(PushTimeout))!;
        Assert.Equal(RespKind.Push, flush.Kind);
        Reply.Text("invalidate", flush.Items![0]);
        Assert.True(flush.Items[1].IsNull, $"expected a null invalidation, got {flush}");

        // The next read opens a new link (after the connection's reconnect backoff), tracking is on again there.
        var deadline = DateTime.UtcNow + PushTimeout;
        while ((await CallAsync(tracked, "GET", key)).IsError)
        {
            Assert.True(DateTime.UtcNow < deadline, "the tracking connection did not come back");
            await Task.Delay(50);
        }

        await using var writer = await _cluster.ConnectAsync();
        Reply.Ok(await writer.CallAsync("SET", key, "1"));
        Assert.Equal([key], InvalidatedKeys(await tracked.ReadAsync(PushTimeout)));
    }

    [Fact]
    public async Task Going_back_to_resp2_flushes_the_cache_and_ends_tracking()
    {
        await using var tracked = await TrackedAsync("CLIENT", "TRACKING", "ON");
        await CallAsync(tracked, "GET", TestKeys.OnGroup(2, "trk-hello2"));
        await tracked.SendAsync(RawConnection.Command("HELLO", "2"));
        Assert.Empty(InvalidatedKeys(await tracked.ReadAsync(PushTimeout)));
        Assert.Equal(RespKind.Array, (await tracked.ReadAsync(PushTimeout))!.Kind);
        Assert.Equal("off", Reply.Strings((await CallAsync(tracked, "CLIENT", "TRACKINGINFO")).Items![1])[0]);
    }

    /// <summary>A RESP3 connection to the proxy with tracking turned on by <paramref name="tracking"/>.</summary>
    private async Task<RawConnection> TrackedAsync(params string[] tracking)
    {
        var c = await RawConnection.ConnectAsync(_cluster.Port);
        Assert.Equal(RespKind.Map, (await CallAsync(c, "HELLO", "3")).Kind);
        Reply.Ok(await CallAsync(c, tracking));
        return c;
    }

    private static async Task<RespValue> CallAsync(RawConnection c, params string[] args)
    {
        var reply = await c.CallAsync(args);
        Assert.True(reply.Kind != RespKind.Push, $"expected the reply to {args[0]}, got a push {reply}");
        return reply;
    }

    /// <summary>The keys of an invalidation push (an empty list for a null one).</summary>
    private static string[] InvalidatedKeys(RespValue? push)
    {
        Assert.NotNull(push);
        Assert.True(push.Kind == RespKind.Push && push.Items![0].AsString() == "invalidate", $"expected an invalidation push, got {push}");
        return push.Items![1].IsNull ? [] : push.Items[1].Items!.Select(k => k.AsString() ?? "(nil)").ToArray();
    }

    /// <summary>
    /// No invalidation is on its way: a GET on <paramref name="sameGroupKey"/> (over the same backend connection as
    /// any invalidation for that group, so one sent earlier would be queued behind its reply) and then a PING must
    /// answer PONG and not a push.
    /// </summary>
    private static async Task AssertNoPushAsync(RawConnection c, string sameGroupKey)
    {
        await c.SendAsync(RawConnection.Command("GET", "{" + sameGroupKey + "}:probe"));
        var probe = await c.ReadAsync(PushTimeout);
        Assert.True(probe is not null && probe.Kind != RespKind.Push, $"expected the probe's reply, got {probe}");
        await c.SendAsync(RawConnection.Command("PING"));
        var pong = await c.ReadAsync(PushTimeout);
        Assert.True(pong is not null && pong.Kind == RespKind.SimpleString && pong.AsString() == "PONG", $"expected no invalidation, got {pong}");
    }
}
