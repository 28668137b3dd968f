namespace Tessera.Local.Servers;

/// <summary>How to start one <c>redis-server</c>. Defaults suit tests and local clusters: no persistence, loopback only.</summary>
public sealed record RedisServerOptions
{
    /// <summary>Data directory (created if missing); holds <c>redis.log</c> and anything the server writes.</summary>
    public required string Directory { get; init; }

    /// <summary>Port on 127.0.0.1; 0 picks a free port (and retries with another one if it is taken meanwhile).</summary>
    public int Port { get; init; }

    /// <summary>Extra arguments appended after the defaults, e.g. <c>["--maxmemory", "100mb"]</c>. Later ones win in Redis.</summary>
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];

    /// <summary>
    /// A password the server requires of every client: <c>requirepass</c>, or, with <see cref="User"/>, that ACL user's
    /// (the default user is then switched off). Null: no password. <see cref="RedisServerProcess.ConnectAsync"/> logs in with it.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>An ACL user allowed everything (<c>on &gt;password ~* &amp;* +@all</c>) with <see cref="Password"/>; null: the default user.</summary>
    public string? User { get; init; }

    /// <summary>The executable, looked up on PATH unless it is a path.</summary>
    public string Executable { get; init; } = "redis-server";

    /// <summary>Bound on starting: from launching the process until it answers PING.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Bound on a graceful stop (SIGTERM) before the process is killed (SIGKILL).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
