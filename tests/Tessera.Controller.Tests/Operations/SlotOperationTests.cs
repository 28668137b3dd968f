using System.Net;
using Tessera.Controller.Tests.Support;
using Tessera.Model.Topology;

namespace Tessera.Controller.Tests.Operations;

/// <summary>Slot assignment and what it forbids afterwards.</summary>
public sealed class SlotOperationTests
{
    [Fact]
    public async Task Unassigned_slots_go_to_groups_and_show_merged()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await SetUpTwoGroupsAsync(client, redis);

        await client.AssignSlotsAsync("default", 0, 99, 1);
        await client.AssignSlotsAsync("default", 100, 511, 1);
        var last = await client.AssignSlotsAsync("default", 512, 1023, 2);
        Assert.Contains("every slot is assigned", last.Summary, StringComparison.Ordinal);
        Assert.Equal("switch", Assert.Single(last.Pushes).Phase);

        var view = await client.GetSlotsAsync("default");
        Assert.Equal(last.Namespace.Epoch, view.Epoch);
        Assert.Collection(view.Ranges,
            r => Assert.Equal((0, 511, 1, SlotState.Online), (r.From, r.To, r.Group, r.State)),
            r => Assert.Equal((512, 1023, 2, SlotState.Online), (r.From, r.To, r.Group, r.State)));
        Assert.Empty(view.Unassigned);
        Assert.Equal([(1, 512), (2, 512)], view.Groups.Select(g => (g.Group, g.Slots)));
        Assert.Empty(TopologyValidator.Validate(new TopologyConfig { Namespaces = [last.Namespace] }));
    }

    [Fact]
    public async Task Assignments_are_checked()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await SetUpTwoGroupsAsync(client, redis);
        await client.CreateGroupAsync("default", 3);
        await client.AssignSlotsAsync("default", 100, 199, 1);

        await ApiAssert.RefusedAsync(() => client.AssignSlotsAsync("default", 0, 10, 9), HttpStatusCode.NotFound, "has no group 9");
        await ApiAssert.RefusedAsync(() => client.AssignSlotsAsync("default", 0, 10, 3), HttpStatusCode.Conflict,
            "group 3 of namespace 'default' has no server yet", "tessera group add default 3");
        await ApiAssert.RefusedAsync(() => client.AssignSlotsAsync("default", 0, 1024, 1), HttpStatusCode.BadRequest, "within 0..1023");
        await ApiAssert.RefusedAsync(() => client.AssignSlotsAsync("default", 10, 5, 1), HttpStatusCode.BadRequest, "FROM <= TO");
        await ApiAssert.RefusedAsync(() => client.AssignSlotsAsync("default", 150, 300, 2), HttpStatusCode.Conflict,
            "slots 150..199 (group 1)", "already assigned", "unassigned slots only");
        await ApiAssert.RefusedAsync(() => client.AssignSlotsAsync("default", 199, 199, 2), HttpStatusCode.Conflict, "slots 199 (group 1)");

        // Nothing of the refused changes was written.
        var view = await client.GetSlotsAsync("default");
        Assert.Equal((100, 199, 1), (view.Ranges.Single().From, view.Ranges.Single().To, view.Ranges.Single().Group));
    }

    [Fact]
    public async Task Groups_with_slots_keep_their_master_and_cannot_be_removed()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await SetUpTwoGroupsAsync(client, redis);
        await client.AssignSlotsAsync("default", 0, 511, 1);

        await ApiAssert.RefusedAsync(() => client.RemoveGroupAsync("default", 1), HttpStatusCode.Conflict,
            "group 1 of namespace 'default' serves 512 slot(s) (0..511)", "cannot be removed");
        await ApiAssert.RefusedAsync(() => client.RemoveServerAsync("default", 1, redis[0].Endpoint), HttpStatusCode.Conflict,
            "serves 512 slot(s)", "needs its master");
        Assert.Single((await client.RemoveGroupAsync("default", 2)).Namespace.Groups);
    }

    [Fact]
    public async Task A_namespace_with_slots_is_removed_only_with_force()
    {
        using var dir = new TempDirectory();
        await using var redis = await RedisServers.StartAsync(dir, 2);
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();
        await SetUpTwoGroupsAsync(client, redis);
        await client.AssignSlotsAsync("default", 0, 1023, 2);

        await ApiAssert.RefusedAsync(() => client.RemoveNamespaceAsync("default"), HttpStatusCode.Conflict,
            "still routes 1024 slot(s)", "--force");
        var removed = await client.RemoveNamespaceAsync("default", force: true);
        Assert.Contains("keep running with their data", removed.Summary, StringComparison.Ordinal);
        Assert.Empty(await client.ListNamespacesAsync());

        // Its servers are free for another namespace now.
        await client.CreateNamespaceAsync("again");
        await client.CreateGroupAsync("again", 1);
        await client.AddServerAsync("again", 1, redis[1].Endpoint);
    }

    private static async Task SetUpTwoGroupsAsync(Api.ControllerClient client, RedisServers redis)
    {
        await client.CreateNamespaceAsync("default");
        await client.CreateGroupAsync("default", 1);
        await client.CreateGroupAsync("default", 2);
        await client.AddServerAsync("default", 1, redis[0].Endpoint);
        await client.AddServerAsync("default", 2, redis[1].Endpoint);
    }
}
