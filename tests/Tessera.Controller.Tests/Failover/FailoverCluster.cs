using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Tessera.Controller.Api;
using Tessera.Controller.Events;
using Tessera.Controller.Health;
using Tessera.Controller.Hosting;
using Tessera.Controller.Tests.Support;
using Tessera.Local.Networking;
using Tessera.Local.Servers;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Failover;

/// <summary>What a failover test runs on.</summary>
internal sealed record FailoverClusterOptions
{
    public int Groups { get; init; } = 1;

    public int ReplicasPerGroup { get; init; } = 1;

    public int Controllers { get; init; } = 1;

    public bool Proxy { get; init; }

    public HealthOptions Health { get; init; } = new();

    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The controllers' insight interval (scores, top lists, alerts); the product's default otherwise.</summary>
    public TimeSpan? InsightInterval { get; init; }

    /// <summary>Extra redis-server arguments for every server (e.g. a maxmemory).</summary>
    public IReadOnlyList<string> ServerArgs { get; init; } = [];
}

/// <summary>
/// Namespace "default" with groups of one master and replicas (real redis-servers), in-process controllers on a
/// file store (the first one leads), and optionally a real proxy process (<c>tessera proxy --store</c>), all
/// built through the controller API as an operator would. Everything is stopped by PID on dispose.
/// </summary>
internal sealed class FailoverCluster : IAsyncDisposable
{
    public const string Namespace = "default";

    private readonly ITestOutputHelper _log;
    private readonly List<RedisServerProcess> _servers = [];
    private readonly List<LoggerHolder> _loggers = [];

    private FailoverCluster(ITestOutputHelper log)
    {
        _log = log;
    }

    public TempDirectory Directory { get; } = new();

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public List<ControllerServer> Controllers { get; } = [];

    /// <summary>Servers of each group as built: index 0 was the first master.</summary>
    public Dictionary<int, List<RedisServerProcess>> Groups { get; } = [];

    public TesseraProcess? Proxy { get; private set; }

    public int ProxyPort { get; private set; }

    public string ProxyAdmin { get; private set; } = "";

    public static async Task<FailoverCluster> StartAsync(FailoverClusterOptions options, ITestOutputHelper log)
    {
        var cluster = new FailoverCluster(log);
        try
        {
            await cluster.BuildAsync(options);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The controller that leads now (bounded wait).</summary>
    public async Task<ControllerServer> LeaderAsync(TimeSpan timeout)
    {
        ControllerServer? leader = null;
        await Eventually.TrueAsync(() => (leader = Controllers.FirstOrDefault(c => c.IsLeader)) is not null, timeout, "a controller leading");
        return leader!;
    }

    public ControllerClient Client(ControllerServer? controller = null) => (controller ?? Controllers[0]).Client();

    /// <summary>The group as stored now.</summary>
    public async Task<GroupConfig> GroupAsync(int groupId, ControllerServer? via = null)
    {
        using var client = Client(via ?? Controllers.FirstOrDefault(c => c.IsLeader) ?? Controllers[^1]);
        var ns = await client.GetNamespaceAsync(Namespace);
        return ns.Groups.Single(g => g.Id == groupId);
    }

    public RedisServerProcess Server(string endpoint) => _servers.Single(s => s.Endpoint == endpoint);

    /// <summary>
    /// Waits until <paramref name="controller"/>'s own probes see all <paramref name="servers"/> servers up and every
    /// replica fit for reads (the count matters: the report follows the store a round late).
    /// </summary>
    public static async Task AllHealthyAsync(ControllerServer controller, int servers, TimeSpan timeout)
    {
        using var client = controller.Client();
        await Eventually.TrueAsync(
            async () =>
            {
                var health = await client.GetHealthAsync();
                return health.Groups.Sum(static g => g.Servers.Count) == servers
                    && health.Groups.All(g => g.Servers.All(s => s.Health == ServerHealthStates.Up && (s.Role == "master" || s.ServesReads)));
            },
            timeout,
            $"controller {controller.Id} seeing every server up");
    }

    /// <summary>The events as stored, oldest first.</summary>
    public async Task<IReadOnlyList<ControllerEvent>> EventsAsync()
    {
        var alive = Controllers.FirstOrDefault(c => c.IsLeader) ?? Controllers[^1];
        using var client = Client(alive);
        return await client.ListEventsAsync(500);
    }

    /// <summary>The master of <paramref name="groupId"/> as the proxy serves it (from its admin API).</summary>
    public async Task<string> ProxyMasterAsync(int groupId)
    {
        using var http = await TestTokens.ProxyAdminHttpAsync(new Uri(ProxyAdmin), Directory.StoreUrl, TimeSpan.FromSeconds(5));
        var topology = await http.GetFromJsonAsync<TopologyConfig>(ApiUrl.Combine(ProxyAdmin, ProxyAdminRoutes.TopologyConfig), TesseraJson.Options);
        return topology!.Namespaces.Single(n => n.Name == Namespace).Groups.Single(g => g.Id == groupId).Master;
    }

    /// <summary>Writes what happened into the test output: events and the proxy's output.</summary>
    public async Task DumpAsync()
    {
        try
        {
            foreach (var recorded in await EventsAsync())
            {
                _log.WriteLine("event: " + Tessera.Cli.Verbs.Admin.EventsVerb.Format(recorded));
            }
        }
        catch (Exception e) when (e is ControllerApiException or InvalidOperationException)
        {
            _log.WriteLine($"(events unavailable: {e.Message})");
        }

        if (Proxy is not null)
        {
            _log.WriteLine("proxy output:\n" + Proxy.Output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Proxy?.Dispose();
        foreach (var controller in Controllers)
        {
            await controller.DisposeAsync();
        }

        foreach (var server in _servers)
        {
            // A test may leave a server stopped (SIGSTOP): let it run so it can be stopped.
            ProcessProbe.Signal(server.Pid, "CONT");
            await server.DisposeAsync();
        }

        foreach (var holder in _loggers)
        {
            holder.Dispose();
        }

        Directory.Dispose();
    }

    private async Task BuildAsync(FailoverClusterOptions options)
    {
        var perGroup = 1 + options.ReplicasPerGroup;
        var started = await Task.WhenAll(Enumerable.Range(0, options.Groups * perGroup).Select(i => RedisServerProcess.StartAsync(new RedisServerOptions
        {
            Directory = Directory.Sub($"redis-{i}"),

            // Replicas attach in milliseconds instead of after Redis's default 5 s wait for more replicas.
            ExtraArgs = ["--repl-diskless-sync-delay", "0", .. options.ServerArgs],
        })));
        _servers.AddRange(started);

        for (var i = 0; i < options.Controllers; i++)
        {
            var id = $"ctl-{(char)('a' + i)}";
            var holder = new LoggerHolder(new TestOutputLogger(_log, Clock, id));
            _loggers.Add(holder);
            var controller = await ControllerServer.StartAsync(
                new ControllerOptions
                {
                    StoreUrl = Directory.StoreUrl,
                    Listen = new IPEndPoint(IPAddress.Loopback, 0),
                    Id = id,
                    AdminTokenFile = TestTokens.FileFor(Directory.StoreUrl),
                    LeaseTtl = options.LeaseTtl,
                    PushDeadline = TimeSpan.FromSeconds(6),
                    PushCallTimeout = TimeSpan.FromSeconds(1),
                    ServerTimeout = TimeSpan.FromSeconds(2),
                    ProbeTimeout = TimeSpan.FromMilliseconds(500),
                    Health = options.Health,
                    InsightInterval = options.InsightInterval ?? new ControllerOptions { StoreUrl = "x" }.InsightInterval,
                },
                holder.Factory);
            TestTokens.Register(controller.Url, Directory.StoreUrl);
            Controllers.Add(controller);
            if (i == 0 && !await controller.WaitForLeadershipAsync(TimeSpan.FromSeconds(10)))
            {
                throw new Xunit.Sdk.XunitException("the first controller did not become leader on an empty store within 10 s");
            }
        }

        if (options.Proxy)
        {
            ProxyPort = FreePort.Find();
            var admin = FreePort.Find();
            ProxyAdmin = $"http://127.0.0.1:{admin.ToString(CultureInfo.InvariantCulture)}";
            Proxy = TesseraProcess.StartNamed("proxy", "proxy", "--store", Directory.StoreUrl,
                "--listen", $"127.0.0.1:{ProxyPort.ToString(CultureInfo.InvariantCulture)}",
                "--admin", $"127.0.0.1:{admin.ToString(CultureInfo.InvariantCulture)}", "--log-level", "Warning");
            await Proxy.WaitForLineAsync("is ready on", TimeSpan.FromSeconds(30));
        }

        using var client = Client();
        await client.CreateNamespaceAsync(Namespace, open: true);
        var slotsPerGroup = 1024 / options.Groups;
        for (var g = 1; g <= options.Groups; g++)
        {
            var members = started.Skip((g - 1) * perGroup).Take(perGroup).ToList();
            Groups[g] = members;
            await client.CreateGroupAsync(Namespace, g);
            foreach (var server in members)
            {
                await client.AddServerAsync(Namespace, g, server.Endpoint);
            }

            var to = g == options.Groups ? 1023 : (g * slotsPerGroup) - 1;
            await client.AssignSlotsAsync(Namespace, (g - 1) * slotsPerGroup, to, g);
        }

        // Replicas hold everything before any test traffic starts: a failover test must not lose writes to an unfinished first sync.
        foreach (var members in Groups.Values)
        {
            foreach (var replica in members.Skip(1))
            {
                await Eventually.TrueAsync(
                    async () => await FailoverMeasurements.InSyncAsync(members[0].Endpoint, replica.Endpoint),
                    TimeSpan.FromSeconds(20),
                    $"replica {replica.Endpoint} in sync with {members[0].Endpoint}");
            }
        }

        foreach (var controller in Controllers)
        {
            await AllHealthyAsync(controller, started.Length, TimeSpan.FromSeconds(20));
        }

        _log.WriteLine($"{Clock.Elapsed.TotalSeconds,7:0.000} cluster ready: {options.Groups} group(s) x {perGroup} servers, {options.Controllers} controller(s){(options.Proxy ? $", proxy on {ProxyPort}" : "")}");
    }

    /// <summary>Keeps the logger factory alive as long as the controller that uses it.</summary>
    private sealed class LoggerHolder : IDisposable
    {
        public LoggerHolder(TestOutputLogger logger)
        {
            Factory = logger.Factory();
        }

        public Microsoft.Extensions.Logging.ILoggerFactory Factory { get; }

        public void Dispose() => Factory.Dispose();
    }
}
