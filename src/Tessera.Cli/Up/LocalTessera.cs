using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Proxy;
using Tessera.Cli.Hosting;
using Tessera.Cli.Verbs.Admin;
using Tessera.Controller;
using Tessera.Controller.Api;
using Tessera.Controller.Hosting;
using Tessera.Local.Clusters;
using Tessera.Model.Api;
using Tessera.Model.Topology;
using Tessera.Proxy.Hosting;

namespace Tessera.Cli.Up;

/// <summary>
/// Everything <c>tessera up</c> runs: the controller and the proxy in this process on one coordinator store,
/// and bare redis-servers that the controller turns into groups through its API. Started in the order that
/// refuses early (controller and store check before any server starts); disposed proxy first, then the
/// controller, then the servers.
/// </summary>
internal sealed class LocalTessera : IAsyncDisposable
{
    /// <summary>A stale leader lease of a killed run expires within one TTL (5 s); a live leader elsewhere never does.</summary>
    private static readonly TimeSpan LeadershipTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan ServersInSyncTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ProxyServesTimeout = TimeSpan.FromSeconds(15);

    private readonly UpSettings _settings;
    private readonly TextWriter _output;
    private UpDirectoryLock? _lock;
    private ControllerClient? _client;
    private string? _token;

    private LocalTessera(UpSettings settings, TextWriter output)
    {
        _settings = settings;
        _output = output;
    }

    public ControllerServer? Controller { get; private set; }

    public LocalCluster? Cluster { get; private set; }

    public ProxyServer? Proxy { get; private set; }

    /// <summary>Namespace 'default' as stored once built.</summary>
    public NamespaceConfig? Namespace { get; private set; }

    /// <summary>The controller's status once the servers were in sync (or the wait for that ended).</summary>
    public StatusReport? Status { get; private set; }

    /// <summary>Servers not (yet) in the role the controller gave them when the wait ended; usually empty.</summary>
    public IReadOnlyList<string> ServerProblems { get; private set; } = [];

    /// <summary>Starts and builds everything; on failure or cancellation stops what was started, then throws.</summary>
    public static async Task<LocalTessera> StartAsync(UpSettings settings, ILoggerFactory loggerFactory, TextWriter output, CancellationToken cancellationToken)
    {
        var up = new LocalTessera(settings, output);
        try
        {
            await up.StartAllAsync(loggerFactory, cancellationToken).ConfigureAwait(false);
            return up;
        }
        catch
        {
            await up.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Proxy first (it deregisters, clients see the port close), then the controller (it steps down),
        // then the servers nothing routes to any more.
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync().ConfigureAwait(false);
        }

        if (Controller is not null)
        {
            await Controller.DisposeAsync().ConfigureAwait(false);
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync().ConfigureAwait(false);
        }

        _client?.Dispose();
        _lock?.Dispose();
    }

    private async Task StartAllAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var settings = _settings;
        _lock = UpDirectoryLock.Acquire(settings.Directory);
        if (settings.UsesDefaultStore && Directory.Exists(settings.DefaultStoreDirectory))
        {
            // The servers are new at every start (no persistence), so the topology of an earlier run names
            // servers that are gone: this directory's own store starts empty each time.
            Directory.Delete(settings.DefaultStoreDirectory, recursive: true);
        }

        var storeUrl = settings.StoreUrl;
        await _output.WriteLineAsync($"Starting the controller on {settings.ControllerUrl.ToString().TrimEnd('/')} (store {storeUrl}) ...").ConfigureAwait(false);
        Controller = await StartControllerAsync(storeUrl, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (!await Controller.WaitForLeadershipAsync(LeadershipTimeout, cancellationToken).ConfigureAwait(false))
        {
            var leader = Controller.KnownLeader;
            throw new UpException(ExitCodes.Failure, string.Create(CultureInfo.InvariantCulture,
                $"The controller did not become the leader of {storeUrl} within {LeadershipTimeout.TotalSeconds:0} s: {(leader is null ? "no leader is known (is the store answering?)" : $"controller '{leader.Id}' at {leader.Url} leads it")}. Stop the other controller, or use another --store."));
        }

        // The token this run's controller wrote, or (a store that had tokens already) the one the admin verbs would use.
        _token = TokenSource.Read(settings.AdminTokenFile) ?? TokenSource.Find(null, null);
        _client = new ControllerClient(Controller.Url) { Token = _token };
        var builder = new ClusterBuilder(_client, _output, settings.ControllerFlag);
        await builder.PrepareAsync(storeUrl, settings.Reset, cancellationToken).ConfigureAwait(false);

        await _output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Starting {settings.Groups} group(s) x (1 master + {settings.Replicas} replica(s)) of redis-server under {settings.Directory} ...")).ConfigureAwait(false);
        Cluster = await LocalCluster.StartAsync(
            new LocalClusterOptions
            {
                Directory = settings.Directory,
                Groups = settings.Groups,
                Replicas = settings.Replicas,
                BasePort = settings.BasePort,
                Namespace = ClusterBuilder.Namespace,
                Replicate = false,
            },
            cancellationToken).ConfigureAwait(false);
        if (Cluster.LeftoversStopped.Count > 0)
        {
            await _output.WriteLineAsync($"Stopped {Cluster.LeftoversStopped.Count} redis-server(s) that an earlier run left in {settings.Directory} (pids {string.Join(", ", Cluster.LeftoversStopped)}).").ConfigureAwait(false);
        }

        await _output.WriteLineAsync("Building the cluster through the controller's API, as these admin commands would:").ConfigureAwait(false);
        Namespace = await builder.BuildAsync(Cluster, cancellationToken).ConfigureAwait(false);

        // The proxy starts on the finished namespace and loads it from the store, as any proxy started (or
        // restarted) later does; every later change reaches it as a route push from the controller.
        var listen = new IPEndPoint(IPAddress.Loopback, settings.Port);
        var admin = new IPEndPoint(IPAddress.Loopback, settings.AdminPort);
        await _output.WriteLineAsync($"Starting the proxy on {listen} (admin {admin}) ...").ConfigureAwait(false);
        Proxy = await StartProxyAsync(listen, admin, storeUrl, loggerFactory, cancellationToken).ConfigureAwait(false);

        try
        {
            var (status, inSync) = await UpReadiness.WaitForServersAsync(_client, ClusterBuilder.Namespace, ServersInSyncTimeout, cancellationToken).ConfigureAwait(false);
            Status = status;
            ServerProblems = inSync ? [] : UpReadiness.Problems(status, ClusterBuilder.Namespace);
        }
        catch (ControllerApiException e)
        {
            throw new UpException(ExitCodes.Failure, $"Asking the controller for its status failed: {e.Message.TrimEnd('.')}.", e);
        }

        await UpReadiness.WaitForProxyAsync(Proxy.AdminUrl!, _token, Proxy.Endpoint, Namespace, ct => _client.GetNamespaceAsync(ClusterBuilder.Namespace, ct), ProxyServesTimeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ControllerServer> StartControllerAsync(string storeUrl, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var options = new ControllerOptions { StoreUrl = storeUrl, Listen = new IPEndPoint(IPAddress.Loopback, _settings.ControllerPort), AdminTokenFile = _settings.AdminTokenFile };
        try
        {
            return await ControllerServer.StartAsync(options, loggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new UpException(ExitCodes.Usage, e.Message, e);
        }
        catch (IOException e)
        {
            throw new UpException(ExitCodes.Failure, $"Could not start the controller: {e.Message.TrimEnd('.')}. Pick another port with --controller-port.", e);
        }
    }

    private static async Task<ProxyServer> StartProxyAsync(IPEndPoint listen, IPEndPoint admin, string storeUrl, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        try
        {
            return await ProxyServer.StartWithStoreAsync(new ProxyOptions { Listen = listen, Admin = admin }, storeUrl, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever stopped the proxy from starting, the user needs the reason; the caller stops the rest.
        catch (Exception e)
#pragma warning restore CA1031
        {
            throw new UpException(ExitCodes.Failure, $"Could not start the proxy on {listen} (admin {admin}): {e.Message.TrimEnd('.')}.", e);
        }
    }
}
