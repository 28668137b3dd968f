using Tessera.Model.Api;

namespace Tessera.Model.Tests.Api;

/// <summary>The route builders give the paths the route templates match, and base URLs join one way.</summary>
public sealed class RoutesTests
{
    [Fact]
    public void Controller_path_builders_fill_the_templates_with_escaped_segments()
    {
        Assert.Equal("/api/namespaces/shop", ControllerRoutes.NamespacePath("shop"));
        Assert.Equal("/api/namespaces/shop?force=true", ControllerRoutes.NamespacePath("shop", force: true));
        Assert.Equal("/api/namespaces/shop", ControllerRoutes.NamespacePath("shop", force: false));
        Assert.Equal("/api/namespaces/shop/groups/2/servers/%5B%3A%3A1%5D%3A7001", ControllerRoutes.ServerPath("shop", 2, "[::1]:7001"));
        Assert.Equal("/api/namespaces/shop/groups/2/promote", ControllerRoutes.PromotePath("shop", 2));
        Assert.Equal("/api/namespaces/shop/migrations/m000001", ControllerRoutes.MigrationPath("shop", "m000001"));
        Assert.Equal("/api/events?limit=20", ControllerRoutes.EventsPath(20));
        Assert.Equal("/api/audit?limit=7", ControllerRoutes.AuditPath(7));
        Assert.Equal(ControllerRoutes.Token.Replace("{name}", "ci-deploy", StringComparison.Ordinal), ControllerRoutes.TokenPath("ci-deploy"));
        Assert.Equal(ControllerRoutes.Server.Replace("{ns}", "shop", StringComparison.Ordinal).Replace("{gid}", "1", StringComparison.Ordinal).Replace("{address}", "a%3A1", StringComparison.Ordinal), ControllerRoutes.ServerPath("shop", 1, "a:1"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:19100", "http://127.0.0.1:19100/api/topology")]
    [InlineData("http://127.0.0.1:19100/", "http://127.0.0.1:19100/api/topology")]
    [InlineData("http://host:1/prefix/", "http://host:1/prefix/api/topology")]
    public void Base_urls_join_with_or_without_a_slash(string baseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), ApiUrl.Combine(baseUrl, ProxyAdminRoutes.Topology));
        Assert.Equal(new Uri(expected), ApiUrl.Combine(new Uri(baseUrl), ProxyAdminRoutes.Topology));
        Assert.Equal(new Uri("http://c:1/api/events?limit=5"), ApiUrl.Combine("http://c:1", ControllerRoutes.EventsPath(5)));
    }
}
