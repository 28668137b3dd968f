using System.Net;
using Tessera.Proxy.Net;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy;

/// <summary>Process settings of one proxy. Defaults work for a local cluster.</summary>
public sealed record ProxyOptions
{
    /// <summary>Where clients connect (default 127.0.0.1:19000; port 0 picks a free port).</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 19000);

    /// <summary>Request parsing limits (bulk length, arguments, request size).</summary>
    public RespLimits Limits { get; init; } = RespLimits.Default;

    /// <summary>Multiplexed connections per backend server, shared by all client sessions.</summary>
    public int ConnectionsPerBackend { get; init; } = 2;

    /// <summary>A request that a backend has not answered within this time fails, and that backend connection is reset.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a session may be held back by its namespace's quota (reads paused) before its commands are answered
    /// -ERR naming the limit instead; bursts shorter than this only wait.
    /// </summary>
    public TimeSpan QuotaPatience { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout given to the MIGRATE a proxy runs when a command touches a key of a migrating slot.</summary>
    public TimeSpan MigrateTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound on connecting to a backend.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest pause between reconnect attempts to a backend that is down (backoff doubles up to this).</summary>
    public TimeSpan MaxReconnectBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most client connections served at once; more are answered with an error and closed.</summary>
    public int MaxClients { get; init; } = 50_000;

    /// <summary>
    /// Every client connection must start with a PROXY protocol header (v1 or v2, as HAProxy, AWS NLB and Envoy send),
    /// whose source address then stands for the client (CLIENT LIST, logs, IP allow-lists). Required, not optional,
    /// once on: a listener behind a load balancer that also took headers from direct clients would let any of them
    /// claim another address. A connection without a valid header within <see cref="RequestTimeout"/> is answered
    /// an error and closed. Off by default.
    /// </summary>
    public bool AcceptProxyProtocol { get; init; }

    /// <summary>
    /// Most connections the proxy opens for single sessions (blocked clients, transactions, subscriptions,
    /// one per session and server); beyond it such commands are refused with a retryable error.
    /// </summary>
    public int MaxDedicatedConnections { get; init; } = 2000;

    /// <summary>Where the admin HTTP API listens (route pushes, /healthz, the proxy's view of the topology); null for none.</summary>
    public IPEndPoint? Admin { get; init; }

    /// <summary>Zone label of this proxy (for nearest-replica reads).</summary>
    public string? Zone { get; init; }

    /// <summary>
    /// Run socket completions on the runtime's socket event thread rather than handing each one to a
    /// thread-pool worker: backend replies always, a client's reads while it sends a few commands per
    /// round trip (see <see cref="SocketInlining"/>). Saves a thread switch per read, about 45 % of the
    /// proxy's CPU per request for unpipelined clients; off runs everything through the thread pool.
    /// </summary>
    public bool InlineSocketCompletions { get; init; } = true;

    /// <summary>
    /// Hold a shared backend connection's writes while it still owes replies to earlier ones, and send them
    /// together when those replies arrive: one send and one server wake-up for the commands of many
    /// clients. Off sends each session's commands as soon as its read pass ends.
    /// </summary>
    public bool CoalesceBackendWrites { get; init; } = true;

    /// <summary>
    /// Answer as a node of a Redis Cluster (CLUSTER SLOTS, SHARDS, NODES, INFO, MYID, KEYSLOT; ASKING; cluster_enabled:1)
    /// whose 16384 slots are divided among the live proxies that have this on, so cluster-aware clients spread their
    /// connections over the proxies. Every proxy still serves every key: no MOVED or ASK is ever sent. Off by default:
    /// CLUSTER is then refused as by a standalone server.
    /// </summary>
    public bool ClusterFace { get; init; }

    /// <summary>
    /// Keep the metrics served at the admin port's /metrics (on by default). Off (<c>--no-metrics</c>) records nothing
    /// per command and answers /metrics with 404; it exists to measure what metrics cost (docs/benchmarks.md).
    /// </summary>
    public bool Metrics { get; init; } = true;

    /// <summary>
    /// host:port that other proxies' cluster faces, and the controller's proxy list, give clients for this proxy (what
    /// clients can reach, e.g. behind NAT); null for the address it listens on.
    /// </summary>
    public string? Announce { get; init; }

    /// <summary>
    /// With the cluster face on, how long a stopping proxy keeps serving after it has left the table (deregistered),
    /// so the other proxies drop it from what they answer before its clients reconnect and ask them; then it drains
    /// and closes. Zero skips the wait.
    /// </summary>
    public TimeSpan ClusterLeaveGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// TLS for clients: the certificate and key the listener presents (re-read when the files change, without dropping
    /// connections) and, optionally, the CA client certificates must chain to (mutual TLS). Null: plain TCP only.
    /// </summary>
    public Tessera.Model.Security.TlsFiles? Tls { get; init; }

    /// <summary>
    /// With <see cref="Tls"/>: a second client listener, speaking TLS, while <see cref="Listen"/> stays plain TCP (for
    /// namespaces that do not require TLS). Null: <see cref="Listen"/> itself speaks TLS.
    /// </summary>
    public IPEndPoint? TlsListen { get; init; }

    /// <summary>HTTPS for the admin API (its own files, or the same as <see cref="Tls"/>); null: plain HTTP.</summary>
    public Tessera.Model.Security.TlsFiles? AdminTls { get; init; }

    /// <summary>A CA trusted besides the system's when the proxy calls a controller over https (health reports); null: none.</summary>
    public string? CaCertFile { get; init; }

    /// <summary>Lease of the proxy's registration in the store; a proxy that cannot renew it within this time fences itself.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(5);
}
