using Microsoft.Extensions.Logging;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Stats;
using Tessera.Resp.Commands;

namespace Tessera.Proxy.Hosting;

/// <summary>Everything client sessions share: settings, routes, backends, command policies, counters.</summary>
internal sealed class ProxyContext : IAsyncDisposable
{
    private long _nextClientId;

    public ProxyContext(ProxyOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Options = options;
        Time = time;
        Stats = new ProxyStats();
        Backends = new BackendPool(options, time, Stats);
        Routing = new RoutingState(Backends);
        Policies = new CommandPolicies(CommandTable.Default);
        Logger = loggerFactory.CreateLogger("Tessera.Proxy");
    }

    public ProxyOptions Options { get; }

    public TimeProvider Time { get; }

    public ProxyStats Stats { get; }

    public BackendPool Backends { get; }

    public RoutingState Routing { get; }

    public CommandPolicies Policies { get; }

    public ILogger Logger { get; }

    /// <summary>The endpoint clients connect to, once bound.</summary>
    public System.Net.IPEndPoint? Endpoint { get; set; }

    public long NextClientId() => Interlocked.Increment(ref _nextClientId);

    public ValueTask DisposeAsync() => Backends.DisposeAsync();
}
