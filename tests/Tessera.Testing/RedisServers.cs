using Tessera.Local.Servers;
using Tessera.Resp.Servers;

namespace Tessera.Testing;

/// <summary>Real redis-servers on free loopback ports for one test, stopped by PID on dispose.</summary>
public sealed class RedisServers : IAsyncDisposable
{
    private readonly List<RedisServerProcess> _servers = [];

    private RedisServers()
    {
    }

    public IReadOnlyList<RedisServerProcess> Servers => _servers;

    public RedisServerProcess this[int index] => _servers[index];

    /// <summary>
    /// Starts <paramref name="count"/> servers; with <paramref name="password"/> each requires it (requirepass, or that ACL
    /// <paramref name="user"/>'s password with the default user off), and <see cref="RedisServerProcess.ConnectAsync"/> logs in.
    /// </summary>
    public static async Task<RedisServers> StartAsync(TempDirectory directory, int count, string? password = null, string? user = null, string prefix = "redis", IReadOnlyList<string>? extraArgs = null)
    {
        var servers = new RedisServers();
        try
        {
            var started = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
                RedisServerProcess.StartAsync(new RedisServerOptions { Directory = directory.Sub($"{prefix}-{i}"), Password = password, User = user, ExtraArgs = extraArgs ?? [] })));
            servers._servers.AddRange(started);
            return servers;
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }
    }

    /// <summary>What the server says its role is ("master" or "slave") and, for a replica, its master's port.</summary>
    public static async Task<(string Role, int? MasterPort)> RoleAsync(RedisServerProcess server)
    {
        await using var client = await server.ConnectAsync(TimeSpan.FromSeconds(2));
        var info = (await client.CallAsync("INFO", "replication")).AsString() ?? "";
        var fields = ServerInfo.Parse(info);
        return (fields["role"] ?? throw new InvalidDataException("INFO replication has no role"), fields.Int32("master_port"));
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_servers.Select(s => s.DisposeAsync().AsTask()));
    }
}
