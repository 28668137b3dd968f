using System.Text;
using Tessera.Local.Etcd;

namespace Tessera.Store.Tests.Etcd;

/// <summary>One real etcd member with authentication enabled (user root, role root), the store logged in as root.</summary>
public class AuthenticatedEtcdFixture : IAsyncLifetime
{
    /// <summary>Members (see <see cref="AuthenticatedEtcdTrioFixture"/>).</summary>
    protected virtual int Size => 1;

    /// <summary>More etcd flags (see <see cref="AuthenticatedEtcdTrioFixture"/>).</summary>
    protected virtual IReadOnlyList<string> ExtraArguments => [];

    public const string User = "root";
    public const string Password = "etcd-root-secret";

    public EtcdCluster Cluster { get; private set; } = null!;

    public string Url => Cluster.Url.Replace("etcd://", $"etcd://{User}:{Password}@", StringComparison.Ordinal);

    public async Task InitializeAsync()
    {
        Cluster = await EtcdCluster.StartAsync(Size, extraArguments: ExtraArguments);
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

/// <summary>
/// Three authenticating members whose simple tokens expire after one idle second (etcd's default is 300 s). A simple token
/// is known only to the member that gave it, so a client failing over to another member must authenticate again there.
/// </summary>
public sealed class AuthenticatedEtcdTrioFixture : AuthenticatedEtcdFixture
{
    protected override int Size => 3;

    protected override IReadOnlyList<string> ExtraArguments => ["--auth-token-ttl", "1"];
}

/// <summary>The production store (JSON gateway) against an etcd that requires a user.</summary>
public sealed class AuthenticatedEtcdStoreTests(AuthenticatedEtcdFixture etcd) : AuthenticatedEtcdContractTests(etcd, EtcdClientKind.JsonGateway), IClassFixture<AuthenticatedEtcdFixture>
{
}

/// <summary>The dotnet-etcd (gRPC) evaluation store against an etcd that requires a user.</summary>
public sealed class GrpcAuthenticatedEtcdStoreTests(AuthenticatedEtcdFixture etcd) : AuthenticatedEtcdContractTests(etcd, EtcdClientKind.Grpc), IClassFixture<AuthenticatedEtcdFixture>
{
}

/// <summary>The whole store contract (reads, writes, compare-and-set, leases, watches) against an etcd that requires a user, for each etcd client.</summary>
public abstract class AuthenticatedEtcdContractTests : StoreContractTests
{
    private readonly AuthenticatedEtcdFixture _etcd;
    private readonly EtcdClientKind _kind;

    protected AuthenticatedEtcdContractTests(AuthenticatedEtcdFixture etcd, EtcdClientKind kind) => (_etcd, _kind) = (etcd, kind);

    protected override ICoordinatorStore OpenStore() => EtcdClients.Open(_kind, _etcd.Url);

    [Fact]
    public async Task Without_credentials_or_with_a_wrong_password_the_store_says_what_to_fix()
    {
        await using (var anonymous = EtcdClients.Open(_kind, _etcd.Cluster.Url))
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => anonymous.GetAsync(P + "k"));
            Assert.Contains("user name is empty", refused.Message, StringComparison.OrdinalIgnoreCase);
        }

        await using var wrong = EtcdClients.Open(_kind, _etcd.Cluster.Url.Replace("etcd://", "etcd://root:not-the-password@", StringComparison.Ordinal));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => wrong.GetAsync(P + "k"));
        Assert.Contains("refused user 'root'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthenticatedEtcdFixture.Password, Store.Url, StringComparison.Ordinal);
        Assert.StartsWith("etcd://root@127.0.0.1:", Store.Url, StringComparison.Ordinal);
    }
}
