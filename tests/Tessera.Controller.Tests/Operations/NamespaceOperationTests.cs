using System.Net;
using System.Net.Http.Json;
using Tessera.Controller.Tests.Support;

namespace Tessera.Controller.Tests.Operations;

/// <summary>Namespace changes through the API on a file store, including the shape of refusals.</summary>
public sealed class NamespaceOperationTests
{
    [Fact]
    public async Task Create_list_get_and_remove_an_empty_namespace()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();

        var created = await client.CreateNamespaceAsync("shop");
        Assert.Equal("shop", created.Namespace.Name);
        Assert.True(created.Namespace.Epoch > 0);
        Assert.Empty(created.Namespace.Groups);
        var push = Assert.Single(created.Pushes);
        Assert.Empty(push.Proxies);

        await client.CreateNamespaceAsync("default");
        var names = (await client.ListNamespacesAsync()).Select(n => n.Name).ToList();
        Assert.Equal(["default", "shop"], names);
        Assert.Equal(created.Namespace.Epoch, (await client.GetNamespaceAsync("shop")).Epoch);

        var removed = await client.RemoveNamespaceAsync("shop");
        Assert.True(removed.Removed);
        Assert.Equal(["default"], (await client.ListNamespacesAsync()).Select(n => n.Name));
        await ApiAssert.RefusedAsync(() => client.GetNamespaceAsync("shop"), HttpStatusCode.NotFound, "namespace 'shop' does not exist");
    }

    [Fact]
    public async Task A_recreated_namespace_starts_above_every_epoch_it_had_before()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();

        await client.CreateNamespaceAsync("shop");
        var last = (await client.CreateGroupAsync("shop", 1)).Namespace.Epoch;
        await client.RemoveNamespaceAsync("shop");
        var again = await client.CreateNamespaceAsync("shop");

        // A proxy that missed the removal must not take the new namespace for an old version of the first.
        Assert.True(again.Namespace.Epoch > last + 1, $"new epoch {again.Namespace.Epoch} should exceed the removal's {last + 1}");
    }

    [Fact]
    public async Task Duplicate_and_badly_named_namespaces_are_refused()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();

        await client.CreateNamespaceAsync("shop");
        await ApiAssert.RefusedAsync(() => client.CreateNamespaceAsync("shop"), HttpStatusCode.Conflict, "namespace 'shop' already exists");
        await ApiAssert.RefusedAsync(() => client.CreateNamespaceAsync("no spaces"), HttpStatusCode.BadRequest, "'no spaces' is not a namespace name", "letters, digits");
        await ApiAssert.RefusedAsync(() => client.CreateNamespaceAsync(""), HttpStatusCode.BadRequest, "not a namespace name");
        await ApiAssert.RefusedAsync(() => client.CreateNamespaceAsync(new string('n', 65)), HttpStatusCode.BadRequest, "1–64");
    }

    [Fact]
    public async Task Changes_to_an_unknown_namespace_say_how_to_create_it()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var client = controller.Client();

        await ApiAssert.RefusedAsync(() => client.CreateGroupAsync("nope", 1), HttpStatusCode.NotFound, "namespace 'nope' does not exist", "tessera namespace create nope");
        await ApiAssert.RefusedAsync(() => client.AssignSlotsAsync("nope", 0, 1, 1), HttpStatusCode.NotFound, "namespace 'nope'");
        await ApiAssert.RefusedAsync(() => client.GetSlotsAsync("nope"), HttpStatusCode.NotFound, "namespace 'nope'");
        await ApiAssert.RefusedAsync(() => client.RemoveNamespaceAsync("nope"), HttpStatusCode.NotFound, "namespace 'nope'");
    }

    [Fact]
    public async Task Malformed_requests_get_a_json_error_with_an_example()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var http = new HttpClient { BaseAddress = controller.Url, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.AdminToken(dir.StoreUrl));

        using var bad = await http.PostAsync(new Uri("api/namespaces", UriKind.Relative), new StringContent("{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var error = await bad.Content.ReadFromJsonAsync<Model.Api.ApiError>();
        Assert.Contains("needs a JSON body like {\"name\": \"shop\", \"open\": false}", error!.Error, StringComparison.Ordinal);

        using var unknown = await http.GetAsync(new Uri("api/nothing", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("there is no GET /api/nothing", (await unknown.Content.ReadFromJsonAsync<Model.Api.ApiError>())!.Error, StringComparison.Ordinal);

        using var badGroup = await http.DeleteAsync(new Uri("api/namespaces/x/groups/abc", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, badGroup.StatusCode);
        Assert.Contains("'abc' is not a group id", (await badGroup.Content.ReadFromJsonAsync<Model.Api.ApiError>())!.Error, StringComparison.Ordinal);
    }
}
