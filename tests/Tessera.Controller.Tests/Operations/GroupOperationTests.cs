using System.Globalization;
using System.Net;
using Tessera.Controller.Tests.Support;
using Tessera.Local.Networking;

namespace Tessera.Controller.Tests.Operations;

/// <summary>Groups and their servers, against real redis-servers (REPLICAOF, ROLE, DBSIZE are real).</summary>
public sealed class GroupOperationTests
{
    [Fact]
    public async Task First_server_becomes_master_and_later_ones_its_replicas()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 3);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await client.CreateNamespaceAsync("default");
        await client.CreateGroupAsync("default", 1);

        var master = await client.AddServerAsync("default", 1, redis[0].Endpoint);
        Assert.Contains("as its master", master.Summary, StringComparison.Ordinal);
        await client.AddServerAsync("default", 1, redis[1].Endpoint, zone: "b");
        var last = await client.AddServerAsync("default", 1, redis[2].Endpoint);

        var group = Assert.Single(last.Namespace.Groups);
        Assert.Equal(redis[0].Endpoint, group.Master);
        Assert.Equal([redis[1].Endpoint, redis[2].Endpoint], group.Replicas);
        Assert.Equal("b", group.Zones[redis[1].Endpoint]);
        Assert.Equal(("master", (int?)null), await RedisServers.RoleAsync(redis[0]));
        Assert.Equal(("slave", (int?)redis[0].Port), await RedisServers.RoleAsync(redis[1]));
        Assert.Equal(("slave", (int?)redis[0].Port), await RedisServers.RoleAsync(redis[2]));

        // Every change is one epoch more than the last.
        Assert.Equal(master.Namespace.Epoch + 2, last.Namespace.Epoch);
    }

    [Fact]
    public async Task A_server_belongs_to_one_group_in_one_namespace()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await client.CreateNamespaceAsync("default");
        await client.CreateNamespaceAsync("shop");
        await client.CreateGroupAsync("default", 1);
        await client.CreateGroupAsync("default", 2);
        await client.CreateGroupAsync("shop", 1);
        await client.AddServerAsync("default", 1, redis[0].Endpoint);
        await client.AddServerAsync("default", 1, redis[1].Endpoint);

        await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 2, redis[0].Endpoint), HttpStatusCode.Conflict,
            $"server {redis[0].Endpoint} is already the master of group 1 in namespace 'default'", "one group only");
        await ApiAssert.RefusedAsync(() => client.AddServerAsync("shop", 1, redis[1].Endpoint), HttpStatusCode.Conflict,
            $"server {redis[1].Endpoint} is already the replica of group 1 in namespace 'default'", "tessera group remove-server default 1");
        await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 1, redis[1].Endpoint), HttpStatusCode.Conflict, "already the replica");
    }

    [Fact]
    public async Task Bad_addresses_unknown_groups_and_dead_servers_are_refused()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await client.CreateNamespaceAsync("default");
        await client.CreateGroupAsync("default", 1);

        foreach (var bad in new[] { "localhost", "127.0.0.1:99999", "127.0.0.1:", ":6379", "::1:6379", "a b:1" })
        {
            await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 1, bad), HttpStatusCode.BadRequest, "is not a server address", "host:port");
        }

        await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 7, "127.0.0.1:6379"), HttpStatusCode.NotFound,
            "namespace 'default' has no group 7", "(its groups: 1)", "tessera group create default 7");
        await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 1, "127.0.0.1:6379", zone: "a zone"), HttpStatusCode.BadRequest, "not a zone label");

        var nobody = $"127.0.0.1:{FreePort.Find().ToString(CultureInfo.InvariantCulture)}";
        await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 1, nobody), HttpStatusCode.Conflict, $"server {nobody} does not answer PING", "start it");
        Assert.Empty((await client.GetNamespaceAsync("default")).Groups[0].Master);
    }

    [Fact]
    public async Task Group_ids_are_positive_and_unique()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await client.CreateNamespaceAsync("default");

        await client.CreateGroupAsync("default", 2);
        await client.CreateGroupAsync("default", 1);
        Assert.Equal([1, 2], (await client.GetNamespaceAsync("default")).Groups.Select(g => g.Id));
        await ApiAssert.RefusedAsync(() => client.CreateGroupAsync("default", 1), HttpStatusCode.Conflict, "already has group 1");
        await ApiAssert.RefusedAsync(() => client.CreateGroupAsync("default", 0), HttpStatusCode.BadRequest, "group id 0 is not allowed");
        await ApiAssert.RefusedAsync(() => client.RemoveGroupAsync("default", 9), HttpStatusCode.NotFound, "has no group 9");
    }

    [Fact]
    public async Task Servers_that_would_lose_data_or_are_replicas_elsewhere_are_refused()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 3);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await client.CreateNamespaceAsync("default");
        await client.CreateGroupAsync("default", 1);
        await client.CreateGroupAsync("default", 2);
        await client.AddServerAsync("default", 1, redis[0].Endpoint);

        await using (var data = await redis[1].ConnectAsync(TimeSpan.FromSeconds(2)))
        {
            await data.CallAsync("SET", "precious", "1");
        }

        await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 1, redis[1].Endpoint), HttpStatusCode.Conflict,
            $"server {redis[1].Endpoint} holds 1 key(s)", "would erase them");
        Assert.Equal(("master", (int?)null), await RedisServers.RoleAsync(redis[1]));

        await using (var replica = await redis[2].ConnectAsync(TimeSpan.FromSeconds(2)))
        {
            await replica.CallAsync("REPLICAOF", "127.0.0.1", redis[1].Port.ToString(CultureInfo.InvariantCulture));
        }

        await ApiAssert.RefusedAsync(() => client.AddServerAsync("default", 2, redis[2].Endpoint), HttpStatusCode.Conflict,
            $"is a replica of 127.0.0.1:{redis[1].Port}", "REPLICAOF NO ONE");
    }

    [Fact]
    public async Task Replicas_leave_detached_and_the_master_leaves_last()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await client.CreateNamespaceAsync("default");
        await client.CreateGroupAsync("default", 1);
        await client.AddServerAsync("default", 1, redis[0].Endpoint);
        await client.AddServerAsync("default", 1, redis[1].Endpoint, zone: "b");

        await ApiAssert.RefusedAsync(() => client.RemoveServerAsync("default", 1, redis[0].Endpoint), HttpStatusCode.Conflict,
            "is the master of group 1", $"still has replica(s) {redis[1].Endpoint}");
        await ApiAssert.RefusedAsync(() => client.RemoveServerAsync("default", 1, "127.0.0.1:1"), HttpStatusCode.NotFound, "is not in group 1");

        var left = await client.RemoveServerAsync("default", 1, redis[1].Endpoint);
        Assert.Empty(left.Warnings);
        Assert.Empty(left.Namespace.Groups[0].Replicas);
        Assert.Empty(left.Namespace.Groups[0].Zones);
        Assert.Equal(("master", (int?)null), await RedisServers.RoleAsync(redis[1]));

        var empty = await client.RemoveServerAsync("default", 1, redis[0].Endpoint);
        Assert.Equal("", empty.Namespace.Groups[0].Master);
        var removed = await client.RemoveGroupAsync("default", 1);
        Assert.Empty(removed.Namespace.Groups);
    }
}
