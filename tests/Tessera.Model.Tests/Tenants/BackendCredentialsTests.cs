using System.Text.Json;
using Tessera.Model.Api;
using Tessera.Model.Tenants;

namespace Tessera.Model.Tests.Tenants;

public sealed class BackendCredentialsTests
{
    [Fact]
    public void Printing_credentials_or_a_request_never_shows_the_password()
    {
        var credentials = new BackendCredentials { User = "tessera", Password = "hunter2-secret" };

        Assert.Equal("user tessera, password ***", credentials.ToString());
        Assert.Equal("password ***", (credentials with { User = null }).ToString());
        Assert.DoesNotContain("hunter2", new SetBackendCredentialsRequest("hunter2-secret", "tessera").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", new NamespaceAccess { Salt = "s", Backend = credentials }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_access_document_keeps_the_password_for_the_servers_and_reads_without_it_as_none()
    {
        var access = new NamespaceAccess { Salt = "s", Backend = new BackendCredentials { Password = "pw" } };

        var json = JsonSerializer.Serialize(access, TesseraJson.Options);

        Assert.Contains("\"backend\":{\"password\":\"pw\"}", json, StringComparison.Ordinal);
        Assert.Equal(access.Backend, JsonSerializer.Deserialize<NamespaceAccess>(json, TesseraJson.Options)!.Backend);
        Assert.Null(JsonSerializer.Deserialize<NamespaceAccess>("""{"salt": "s", "users": []}""", TesseraJson.Options)!.Backend);
    }
}
