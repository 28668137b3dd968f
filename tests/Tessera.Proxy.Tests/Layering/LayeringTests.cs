namespace Tessera.Proxy.Tests.Layering;

/// <summary>
/// The proxy's folders import each other in one direction only (architecture §7). Run it alone with
/// <c>dotnet test tests/Tessera.Proxy.Tests --filter FullyQualifiedName~Layering</c>.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>
    /// The allowed order, bottom first: a folder may refer only to folders before it in this list. A new folder
    /// must be placed here.
    /// <list type="bullet">
    /// <item>Net — socket inlining and the memory pool;</item>
    /// <item>"" — ProxyOptions (refers to Net only in a cref);</item>
    /// <item>Stats — counters;</item>
    /// <item>Replies — a reply's place, the reply queue, the flush batch, a client's output (SessionOutput);</item>
    /// <item>Backends — pool, server, connection, request ring, dedicated connections;</item>
    /// <item>Routing — the routing snapshot and state, key routing;</item>
    /// <item>Commands — command policies; Merging — split and merge of multi-key commands; Migration — MIGRATE on touch;</item>
    /// <item>Topology — topology files; Tenants — namespaces' users, live settings, AUTH throttle; Cluster — the cluster face's table of live proxies; Coordination — the store agent (routes from the store, lease, fence);</item>
    /// <item>Sessions — the client session and its feature objects; Hosting — the process: listeners, admin API.</item>
    /// </list>
    /// </summary>
    public static readonly string[] AllowedOrder =
    [
        "Net",
        "",
        "Stats",
        "Replies",
        "Backends",
        "Routing",
        "Commands",
        "Merging",
        "Migration",
        "Topology",
        "Tenants",
        "Cluster",
        "Coordination",
        "Sessions",
        "Hosting",
    ];

    private static readonly Lazy<FolderGraph> Graph = new(static () => FolderGraph.ReadSourceProject("Tessera.Proxy"));

    [Fact]
    public void Proxy_folders_have_no_import_cycle()
    {
        var problem = Graph.Value.DescribeCycle();
        Assert.True(problem is null, problem);
    }

    [Fact]
    public void Proxy_folders_import_only_folders_below_them_in_the_allowed_order()
    {
        var problem = Graph.Value.DescribeAgainstOrder(AllowedOrder);
        Assert.True(problem is null, problem);
    }

    [Fact]
    public void Proxy_namespaces_equal_folders() =>
        Assert.True(Graph.Value.NamespaceMismatches.Count == 0, string.Join("\n", Graph.Value.NamespaceMismatches));

    [Fact]
    public void The_graph_sees_the_proxys_references()
    {
        // The check is only as good as what it reads: the data path's edges show up.
        Assert.Contains("Backends", Graph.Value.DependenciesOf("Sessions"));
        Assert.Contains("Replies", Graph.Value.DependenciesOf("Backends"));
        Assert.Contains("Routing", Graph.Value.DependenciesOf("Coordination"));
    }
}
