using System.Net;
using System.Text;

namespace Tessera.Controller;

/// <summary>Process settings of a controller. The defaults suit one controller per machine on loopback.</summary>
public sealed record ControllerOptions
{
    /// <summary>Default API address, also the admin CLI's default <c>--controller</c>.</summary>
    public static readonly IPEndPoint DefaultListen = new(IPAddress.Loopback, 18080);

    /// <summary>The coordinator store: <c>file:///path</c> or <c>etcd://host:port[,host:port…]</c>.</summary>
    public required string StoreUrl { get; init; }

    /// <summary>Where the HTTP API listens; port 0 picks a free port (tests).</summary>
    public IPEndPoint Listen { get; init; } = DefaultListen;

    /// <summary>HTTPS for the API: certificate and key (re-read when the files change); null: plain HTTP.</summary>
    public Tessera.Model.Security.TlsFiles? Tls { get; init; }

    /// <summary>
    /// A CA file whose certificates this controller trusts, besides the system's, when it calls proxies' admin APIs
    /// over https (route pushes, status); null: the system's trust store only.
    /// </summary>
    public string? CaCertFile { get; init; }

    /// <summary>This controller's name in the leader lock and in messages; defaults to host name and process id.</summary>
    public string? Id { get; init; }

    /// <summary>
    /// Lifetime of the leader lease. The leader renews every third of it and steps down when it could not renew
    /// for two thirds of it; a standby takes over within about one TTL after the leader dies.
    /// </summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a standby looks at the leader lock.</summary>
    public TimeSpan? CampaignInterval { get; init; }

    /// <summary>Bound on one route push request to one proxy.</summary>
    public TimeSpan PushCallTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Bound on waiting for one proxy that stays registered but does not ack a push. A proxy whose registration
    /// vanishes is waited out sooner; one that outlives this deadline is reported as unacknowledged.
    /// </summary>
    public TimeSpan PushDeadline { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Bound on asking a redis-server something during a change (PING, REPLICAOF, DBSIZE).</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound on each live probe for status (a server's INFO, a proxy's topology).</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>
    /// Where a controller that finds no API token in the store writes the first admin token it creates (mode 0600;
    /// the directory 0700 when it has to be made). Default <see cref="DefaultAdminTokenFile"/>.
    /// </summary>
    public string AdminTokenFile { get; init; } = DefaultAdminTokenFile();

    /// <summary>Failure detection and failover: probe interval, down-after time, replica lag threshold (see <see cref="HealthOptions"/>).</summary>
    public HealthOptions Health { get; init; } = new();

    /// <summary>
    /// How often the leader gathers the figures behind health scores, top lists and alert rules (INFO of every server,
    /// /metrics of every proxy) and evaluates the rules; 100 ms–5 min, default 5 s.
    /// </summary>
    public TimeSpan InsightInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The id to use: <see cref="Id"/> or "host-pid" reduced to characters store paths accept.</summary>
    public string EffectiveId => Id ?? DefaultId();

    /// <summary>The standby poll interval: <see cref="CampaignInterval"/> or a tenth of the TTL, 100–250 ms.</summary>
    public TimeSpan EffectiveCampaignInterval =>
        CampaignInterval ?? TimeSpan.FromMilliseconds(Math.Clamp(LeaseTtl.TotalMilliseconds / 10, 100, 250));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(StoreUrl))
        {
            throw new ArgumentException("A controller needs --store: file:///var/lib/tessera or etcd://host:2379.");
        }

        if (LeaseTtl < TimeSpan.FromMilliseconds(300) || LeaseTtl > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"The leader lease TTL must be between 300 ms and 5 minutes; got {LeaseTtl.TotalSeconds} s.");
        }

        if (PushCallTimeout <= TimeSpan.Zero || PushDeadline < PushCallTimeout || ServerTimeout <= TimeSpan.Zero || ProbeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Controller timeouts must be positive, and the push deadline at least one push call.");
        }

        if (InsightInterval < TimeSpan.FromMilliseconds(100) || InsightInterval > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"The insight interval must be between 100 ms and 5 minutes; got {InsightInterval.TotalSeconds} s.");
        }

        if (string.IsNullOrWhiteSpace(AdminTokenFile))
        {
            throw new ArgumentException("The admin token file needs a path (--admin-token-file), e.g. ~/.config/tessera/admin.token.");
        }

        Health.Validate();
    }

    /// <summary>
    /// <c>$XDG_CONFIG_HOME/tessera/admin.token</c>, or <c>~/.config/tessera/admin.token</c> without it: where a
    /// controller writes the first admin token and where the CLI looks for a token when none is given.
    /// </summary>
    public static string DefaultAdminTokenFile()
    {
        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "tessera", "admin.token");
    }

    private static string DefaultId()
    {
        var name = new StringBuilder();
        foreach (var c in Environment.MachineName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        if (name.Length == 0 || name.Length > 100)
        {
            name.Clear().Append("controller");
        }

        return name.Append('-').Append(Environment.ProcessId).ToString();
    }
}
