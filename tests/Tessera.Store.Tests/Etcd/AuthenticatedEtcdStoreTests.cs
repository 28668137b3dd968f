using System.Text;
using Tessera.Local.Etcd;

namespace Tessera.Store.Tests.Etcd;

/// <summary>One real etcd member with authentication enabled (user root, role root), the store logged in as root.</summary>
public sealed class AuthenticatedEtcdFixture : IAsyncLifetime
{
    public const string User = "root";
    public const string Password = "etcd-root-secret";

    public EtcdCluster Cluster { get; private set; } = null!;

    public string Url => Cluster.Url.Replace("etcd://", $"etcd://{User}:{Password}@", StringComparison.Ordinal);

    public async Task InitializeAsync()
    {
        Cluster = await EtcdCluster.StartAsync(1);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var member = Cluster.Members[0].ClientUrl;
        foreach (var (path, body) in new[]
        {
            ("/v3/auth/user/add", $$"""{"name": "{{User}}", "password": "{{Password}}"}"""),
            ("/v3/auth/role/add", """{"name": "root"}"""),
            ("/v3/auth/user/grant", $$"""{"user": "{{User}}", "role": "root"}"""),
            ("/v3/auth/enable", "{}"),
        })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(member, path), content);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>The whole store contract (reads, writes, compare-and-set, leases, watches) against an etcd that requires a user.</summary>
public sealed class AuthenticatedEtcdStoreTests : StoreContractTests, IClassFixture<AuthenticatedEtcdFixture>
{
    private readonly AuthenticatedEtcdFixture _etcd;

    public AuthenticatedEtcdStoreTests(AuthenticatedEtcdFixture etcd) => _etcd = etcd;

    protected override ICoordinatorStore OpenStore() => StoreFactory.Open(_etcd.Url);

    [Fact]
    public async Task Without_credentials_or_with_a_wrong_password_the_store_says_what_to_fix()
    {
        await using (var anonymous = StoreFactory.Open(_etcd.Cluster.Url))
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => anonymous.GetAsync(P + "k"));
            Assert.Contains("user name is empty", refused.Message, StringComparison.OrdinalIgnoreCase);
        }

        await using var wrong = StoreFactory.Open(_etcd.Cluster.Url.Replace("etcd://", "etcd://root:not-the-password@", StringComparison.Ordinal));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => wrong.GetAsync(P + "k"));
        Assert.Contains("refused user 'root'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthenticatedEtcdFixture.Password, Store.Url, StringComparison.Ordinal);
        Assert.StartsWith("etcd://root@127.0.0.1:", Store.Url, StringComparison.Ordinal);
    }
}
