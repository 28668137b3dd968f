using System.Net;
using Microsoft.Extensions.Logging;
using Tessera.Proxy.Topology;

namespace Tessera.Proxy.Hosting;

/// <summary>A running proxy: the Kestrel listener, client sessions and backend connections.</summary>
public sealed class ProxyServer : IAsyncDisposable
{
    /// <summary>The endpoint clients connect to (the real port when 0 was asked for).</summary>
    public IPEndPoint Endpoint => throw new NotImplementedException();

    /// <summary>Starts listening and serving <paramref name="topology"/>.</summary>
    public static Task<ProxyServer> StartAsync(ProxyOptions options, TopologyConfig topology, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Swaps in a new topology; requests already routed finish on the old one.</summary>
    public void ApplyTopology(TopologyConfig topology) => throw new NotImplementedException();

    /// <summary>Stops listening, closes client and backend connections.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
