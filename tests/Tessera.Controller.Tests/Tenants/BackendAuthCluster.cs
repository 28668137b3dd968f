using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Testing;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Tenants;

/// <summary>
/// redis-servers that require a password (requirepass, or an ACL user with the default user off), with the controller,
/// proxies and kept log lines of <see cref="BackendCluster"/>.
/// </summary>
internal sealed class BackendAuthCluster : BackendCluster
{
    private BackendAuthCluster(TempDirectory directory, RedisServers redis, string password, string? user)
        : base(directory)
    {
        Redis = redis;
        Password = password;
        User = user;
    }

    public RedisServers Redis { get; }

    /// <summary>What the servers require (random per cluster, so finding it in an answer or a log line is no accident).</summary>
    public string Password { get; }

    public string? User { get; }

    public static async Task<BackendAuthCluster> StartAsync(int servers, ITestOutputHelper log, string? user = null)
    {
        var directory = new TempDirectory();
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var redis = await RedisServers.StartAsync(directory, servers, password, user);
        var cluster = new BackendAuthCluster(directory, redis, password, user);
        try
        {
            await cluster.StartControllerAsync(log);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The namespace's credentials as the servers want them.</summary>
    public SetBackendCredentialsRequest Credentials => new(Password, User);

    /// <summary>Fails the test when the password appears in any log line so far.</summary>
    public void AssertPasswordNotLogged()
    {
        var leaked = LogLines.Where(l => l.Contains(Password, StringComparison.Ordinal)).ToList();
        Assert.True(leaked.Count == 0, "the backend password was logged:\n" + string.Join('\n', leaked));
        Assert.NotEmpty(LogLines);
    }

    protected override RedisServerProcess ServerAt(int index) => Redis[index];

    protected override ValueTask DisposeServersAsync() => Redis.DisposeAsync();
}
