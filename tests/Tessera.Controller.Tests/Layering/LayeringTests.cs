namespace Tessera.Controller.Tests.Layering;

/// <summary>
/// The controller's folders import each other in one direction only (STYLE: folder by feature, namespace =
/// folder). Run it alone with <c>dotnet test tests/Tessera.Controller.Tests --filter FullyQualifiedName~Layering</c>.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>
    /// The allowed order, bottom first: a folder may refer only to folders above it in this list (the root, "",
    /// holds the options and the refusal exception and refers to none). A new folder must be placed here.
    /// <list type="bullet">
    /// <item>"" — ControllerOptions, HealthOptions, OperationRefusedException;</item>
    /// <item>Metrics — the controller's instruments, which the folders that do the work record into;</item>
    /// <item>Election, Events, Proxies, Topology, Servers — leaves: the leader lock, the event log, the proxy
    /// registry and admin client, the namespace documents and slot tables, calls to redis-servers;</item>
    /// <item>Security — tokens, roles, the access check, the cluster secret, the audit log (Events' bounded list);</item>
    /// <item>Pushes — two-phase route pushes (Topology, Proxies);</item>
    /// <item>Operations — topology changes (Pushes, Topology, Servers, Election);</item>
    /// <item>Health — probes over time, opinions, verdicts (Servers, Topology, Election, Events);</item>
    /// <item>Failover — failover on the health verdicts (Health, Operations, Pushes…);</item>
    /// <item>Migration, then Rebalance, which queues migrations;</item>
    /// <item>Status — the status report (Topology, Proxies, Servers);</item>
    /// <item>Api — routes and the typed client over all of the above; Hosting — the process that wires it up.</item>
    /// </list>
    /// </summary>
    public static readonly string[] AllowedOrder =
    [
        "",
        "Metrics",
        "Election",
        "Events",
        "Security",
        "Proxies",
        "Topology",
        "Servers",
        "Pushes",
        "Operations",
        "Health",
        "Failover",
        "Migration",
        "Rebalance",
        "Status",
        "Insight",
        "Alerts",
        "Api",
        "Hosting",
    ];

    private static readonly Lazy<FolderGraph> Graph = new(static () => FolderGraph.ReadSourceProject("Tessera.Controller"));

    [Fact]
    public void Controller_folders_have_no_import_cycle()
    {
        var problem = Graph.Value.DescribeCycle();
        Assert.True(problem is null, problem);
    }

    [Fact]
    public void Controller_folders_import_only_folders_below_them_in_the_allowed_order()
    {
        var problem = Graph.Value.DescribeAgainstOrder(AllowedOrder);
        Assert.True(problem is null, problem);
    }

    [Fact]
    public void Controller_namespaces_equal_folders() =>
        Assert.True(Graph.Value.NamespaceMismatches.Count == 0, string.Join("\n", Graph.Value.NamespaceMismatches));

    [Fact]
    public void The_graph_sees_usings_qualified_and_relative_references()
    {
        // The check is only as good as what it reads: every kind of reference shows up as an edge today.
        var references = Graph.Value.References.ToList();
        Assert.Contains(references, static r => r.Text.StartsWith("Tessera.Controller.", StringComparison.Ordinal) && r.From == "Hosting");
        Assert.Contains("Topology", Graph.Value.DependenciesOf("Pushes"));
        Assert.DoesNotContain(Graph.Value.DependenciesOf(""), static _ => true);
    }

    [Fact]
    public void Cycles_are_found_and_named()
    {
        var acyclic = new Dictionary<string, IReadOnlyCollection<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = [] };
        Assert.Null(FolderGraph.FindCycle(acyclic));

        var cyclic = new Dictionary<string, IReadOnlyCollection<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] };
        Assert.Equal(["A", "B", "C", "A"], FolderGraph.FindCycle(cyclic));
    }
}
