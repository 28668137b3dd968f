using Tessera.Controller.Security;
using Tessera.Model.Security;

namespace Tessera.Controller.Tests.Security;

/// <summary>The one rule from method and path to the role a request needs.</summary>
public sealed class RouteRolesTests
{
    [Theory]
    [InlineData("GET", "/api/status", ApiRole.Viewer)]
    [InlineData("HEAD", "/api/namespaces", ApiRole.Viewer)]
    [InlineData("GET", "/api/namespaces/{ns}/slots", ApiRole.Viewer)]
    [InlineData("GET", "/api/nothing/here", ApiRole.Viewer)]
    [InlineData("POST", "/api/namespaces", ApiRole.Operator)]
    [InlineData("PATCH", "/api/namespaces/{ns}", ApiRole.Operator)]
    [InlineData("DELETE", "/api/namespaces/{ns}/groups/{gid}/servers/{address}", ApiRole.Operator)]
    [InlineData("POST", "/api/namespaces/{ns}/groups/{gid}/promote", ApiRole.Operator)]
    [InlineData("POST", "/healthz", ApiRole.Operator)]
    [InlineData("OPTIONS", "/api/status", ApiRole.Operator)]
    [InlineData("GET", "/api/tokens", ApiRole.Admin)]
    [InlineData("POST", "/api/tokens", ApiRole.Admin)]
    [InlineData("DELETE", "/api/tokens/{name}", ApiRole.Admin)]
    [InlineData("get", "/API/Tokens/", ApiRole.Admin)]
    [InlineData("GET", "/api/audit", ApiRole.Admin)]
    [InlineData("GET", "/api/namespaces/{ns}/users", ApiRole.Admin)]
    [InlineData("PUT", "/api/namespaces/{ns}/users/{user}/password", ApiRole.Admin)]
    [InlineData("GET", "/api/namespaces/shop/SECRETS", ApiRole.Admin)]
    [InlineData("GET", "/api/tokensmith", ApiRole.Viewer)]
    [InlineData("GET", "/api/namespaces/{ns}/usersettings", ApiRole.Viewer)]
    public void Each_request_needs_the_role_its_method_and_path_say(string method, string path, ApiRole expected) =>
        Assert.Equal(expected, RouteRoles.Required(method, path));

    [Theory]
    [InlineData("GET", "/healthz")]
    [InlineData("HEAD", "/healthz")]
    [InlineData("GET", "/HEALTHZ/")]
    public void Only_the_health_check_needs_no_token(string method, string path) =>
        Assert.Null(RouteRoles.Required(method, path));

    [Fact]
    public void Roles_round_trip_through_their_names_and_order_by_power()
    {
        foreach (var role in Enum.GetValues<ApiRole>())
        {
            Assert.True(ApiRoles.TryParse(role.Name(), out var parsed));
            Assert.Equal(role, parsed);
        }

        Assert.True(ApiRoles.TryParse("ADMIN", out _));
        Assert.False(ApiRoles.TryParse("root", out _));
        Assert.False(ApiRoles.TryParse(null, out _));
        Assert.True(ApiRole.Viewer < ApiRole.Operator && ApiRole.Operator < ApiRole.Admin);
    }

    [Fact]
    public void Tokens_are_prefixed_random_and_stored_as_their_sha256()
    {
        var a = TokenSecrets.NewToken();
        var b = TokenSecrets.NewToken();
        Assert.StartsWith("tsr_", a, StringComparison.Ordinal);
        Assert.Equal(4 + 43, a.Length);
        Assert.NotEqual(a, b);
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", TokenSecrets.Hash("hello"));
        Assert.True(TokenSecrets.FixedTimeEquals(a, a));
        Assert.False(TokenSecrets.FixedTimeEquals(a, b));
    }
}
