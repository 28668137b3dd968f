using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Routing;
using Tessera.Controller.Hosting;
using Tessera.Controller.Security;
using Tessera.Model.Api;
using Tessera.Model.Security;

namespace Tessera.Controller.Tests.Security;

/// <summary>
/// Every route the controller maps, read from its endpoint table so a route added later is checked too, against
/// a real controller: no token and an unknown token get 401, a viewer token gets 403 on any change, a token with
/// too small a role 403, and a token with the role the rule asks for gets through (whatever the handler answers).
/// </summary>
public sealed class ApiAccessTests
{
    private static readonly Dictionary<string, string> RouteValues = new(StringComparer.Ordinal)
    {
        ["ns"] = "no-such-ns",
        ["gid"] = "1",
        ["address"] = "127.0.0.1:1",
        ["id"] = "m1",
        ["name"] = "no-such-token",
        ["user"] = "no-such-user",
    };

    [Fact]
    public async Task Every_mapped_route_refuses_missing_wrong_and_too_small_tokens_and_admits_the_right_role()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        var admin = TestTokens.AdminToken(dir.StoreUrl);
        using var setup = controller.Client();
        var viewer = (await setup.CreateTokenAsync("v", "viewer")).Token;
        var operatorToken = (await setup.CreateTokenAsync("o", "operator")).Token;
        var tokens = new Dictionary<ApiRole, string> { [ApiRole.Viewer] = viewer, [ApiRole.Operator] = operatorToken, [ApiRole.Admin] = admin };
        using var http = new HttpClient { BaseAddress = controller.Url, Timeout = TimeSpan.FromSeconds(30) };

        var routes = Routes(controller);
        Assert.True(routes.Count >= 25, $"only {routes.Count} routes found: {string.Join(", ", routes)}");
        Assert.Contains(("POST", ControllerRoutes.Tokens), routes);
        var problems = new List<string>();
        foreach (var (method, template) in routes)
        {
            var path = Fill(template);
            var needed = RouteRoles.Required(method, template);
            if (needed is null)
            {
                Expect(problems, method, path, "no token", await SendAsync(http, method, path, null), HttpStatusCode.OK);
                continue;
            }

            Expect(problems, method, path, "no token", await SendAsync(http, method, path, null), HttpStatusCode.Unauthorized);
            Expect(problems, method, path, "an unknown token", await SendAsync(http, method, path, "tsr_" + new string('x', 43)), HttpStatusCode.Unauthorized);
            if (method != "GET")
            {
                Expect(problems, method, path, "a viewer token", await SendAsync(http, method, path, viewer), HttpStatusCode.Forbidden);
            }

            if (needed == ApiRole.Admin)
            {
                Expect(problems, method, path, "an operator token", await SendAsync(http, method, path, operatorToken), HttpStatusCode.Forbidden);
            }

            var admitted = await SendAsync(http, method, path, tokens[needed.Value]);
            if (admitted is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                problems.Add($"{method} {path} with a {needed.Value.Name()} token: {(int)admitted}, expected to get through");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Refusals_say_what_to_do_and_the_cluster_secret_opens_only_health_reports()
    {
        using var dir = new TempDirectory();
        await using var controller = await TestControllers.StartLeaderAsync(dir.StoreUrl);
        using var http = new HttpClient { BaseAddress = controller.Url, Timeout = TimeSpan.FromSeconds(30) };

        using (var missing = await http.GetAsync(new Uri(ControllerRoutes.Status, UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
            Assert.Equal("Bearer", Assert.Single(missing.Headers.WwwAuthenticate).Scheme);
            var error = (await missing.Content.ReadFromJsonAsync<ApiError>())!.Error;
            Assert.Contains("--token", error, StringComparison.Ordinal);
            Assert.Contains("TESSERA_TOKEN", error, StringComparison.Ordinal);
            Assert.Contains(TestTokens.FileFor(dir.StoreUrl), error, StringComparison.Ordinal);
        }

        using var viewerClient = controller.Client((await controller.Client().CreateTokenAsync("watcher", "viewer")).Token);
        var refused = await Support.ApiAssert.RefusedAsync(() => viewerClient.CreateNamespaceAsync("x"), HttpStatusCode.Forbidden, "role operator", "'watcher' has role viewer");
        Assert.Contains("tessera token create", refused.Message, StringComparison.Ordinal);

        var secret = await TestTokens.ClusterSecretAsync(dir.StoreUrl);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, "POST", ControllerRoutes.HealthReports, secret, """{"server": "127.0.0.1:1", "reporter": "p1"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, "GET", ControllerRoutes.Status, secret));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, "POST", ControllerRoutes.Namespaces, secret, """{"name": "sneaky"}"""));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, "GET", ControllerRoutes.Health, null));
    }

    /// <summary>(method, template) of every mapped route but the catch-all.</summary>
    private static List<(string Method, string Template)> Routes(ControllerServer controller)
    {
        var routes = new List<(string, string)>();
        foreach (var endpoint in controller.Routes)
        {
            var template = endpoint.RoutePattern.RawText!;
            if (ApiAccess.IsFallback(template))
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                routes.Add((method, template));
            }
        }

        return routes;
    }

    private static string Fill(string template)
    {
        var path = template;
        foreach (var (name, value) in RouteValues)
        {
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("{", path, StringComparison.Ordinal);
        return path;
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, string method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static void Expect(List<string> problems, string method, string path, string with, HttpStatusCode actual, HttpStatusCode expected)
    {
        if (actual != expected)
        {
            problems.Add($"{method} {path} with {with}: {(int)actual}, expected {(int)expected}");
        }
    }
}
