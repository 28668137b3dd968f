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

    /// <summary>
    /// TLS only: the server listens on <see cref="Port"/> as its <c>tls-port</c> (<c>--port 0</c>: no plain port) with
    /// these files; <see cref="RedisServerProcess.ConnectAsync"/> then connects over TLS. Null: plain TCP.
    /// </summary>
    public RedisServerTls? Tls { get; init; }

    /// <summary>The executable, looked up on PATH unless it is a path.</summary>
    public string Executable { get; init; } = "redis-server";

    /// <summary>Bound on starting: from launching the process until it answers PING.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Bound on a graceful stop (SIGTERM) before the process is killed (SIGKILL).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A TLS-only redis-server's files (redis-server's own <c>tls-*</c> settings) and how clients of this process
/// (readiness probes, <see cref="RedisServerProcess.ConnectAsync"/>) reach it.
/// </summary>
public sealed record RedisServerTls
{
    /// <summary><c>tls-cert-file</c>: the server's certificate (PEM).</summary>
    public required string CertificateFile { get; init; }

    /// <summary><c>tls-key-file</c>: its private key.</summary>
    public required string KeyFile { get; init; }

    /// <summary><c>tls-ca-cert-file</c>: the CA that client (and peer) certificates must chain to.</summary>
    public required string CaFile { get; init; }

    /// <summary><c>tls-client-cert-file</c>/<c>tls-client-key-file</c>: what it presents on its own outgoing connections (to its master, MIGRATE's target); null: its server certificate.</summary>
    public string? ClientCertificateFile { get; init; }

    public string? ClientKeyFile { get; init; }

    /// <summary><c>tls-auth-clients</c>: clients must present a certificate the CA issued.</summary>
    public bool AuthClients { get; init; } = true;

    /// <summary><c>tls-replication</c>: its sync with a master runs over TLS.</summary>
    public bool Replication { get; init; } = true;

    /// <summary><c>tls-cluster</c>: also MIGRATE's connection to the target.</summary>
    public bool Cluster { get; init; } = true;

    /// <summary>How this process's own connections to the server do TLS (CA, client certificate).</summary>
    public required Model.Tenants.BackendTls Client { get; init; }

    /// <summary>The redis-server arguments of these settings, with <paramref name="port"/> as the TLS port.</summary>
    public IEnumerable<string> Arguments(string port)
    {
        yield return "--port";
        yield return "0";
        yield return "--tls-port";
        yield return port;
        yield return "--tls-cert-file";
        yield return CertificateFile;
        yield return "--tls-key-file";
        yield return KeyFile;
        yield return "--tls-ca-cert-file";
        yield return CaFile;
        if (ClientCertificateFile is not null && ClientKeyFile is not null)
        {
            yield return "--tls-client-cert-file";
            yield return ClientCertificateFile;
            yield return "--tls-client-key-file";
            yield return ClientKeyFile;
        }

        yield return "--tls-auth-clients";
        yield return AuthClients ? "yes" : "no";
        yield return "--tls-replication";
        yield return Replication ? "yes" : "no";
        yield return "--tls-cluster";
        yield return Cluster ? "yes" : "no";
    }
}
