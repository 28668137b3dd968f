using Tessera.Model.Topology;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Routing;
using Tessera.Proxy.Stats;
using Tessera.Resp.Keys;

namespace Tessera.Proxy.Tests.Support;

/// <summary>Routes for unit tests: servers nothing connects to, groups of them, a namespace of groups with no slot assigned.</summary>
internal static class TestRoutes
{
    public static BackendServer Server(int port) => new($"127.0.0.1:{port}", new ProxyOptions(), TimeProvider.System, new ProxyStats());

    public static GroupRoute Group(int id, BackendServer master) => new(id, master, []);

    public static NamespaceRoutes Namespace(params GroupRoute[] groups) =>
        new(new NamespaceConfig { Name = "default" }, groups, new GroupRoute?[KeySlot.Count], new SlotState[KeySlot.Count], new GroupRoute?[KeySlot.Count]);
}
