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
    /// <item>Election, Events, Proxies, Topology, Servers — leaves: the leader lock, the event log, the proxy
    /// registry and admin client, the namespace documents and slot tables, calls to redis-servers;</item>
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
        "Election",
        "Events",
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
        "Api",
        "Hosting",
    ];

    private static readonly Lazy<FolderGraph> Graph = new(() =>
        FolderGraph.Read(Path.Combine(RepositoryRoot(), "src", "Tessera.Controller"), "Tessera.Controller"));

    [Fact]
    public void Controller_folders_have_no_import_cycle()
    {
        var cycle = FolderGraph.FindCycle(Graph.Value.Edges());
        if (cycle is not null)
        {
            var edges = cycle.Zip(cycle.Skip(1), (from, to) => $"  {Name(from)} → {Name(to)}: {string.Join(", ", Graph.Value.Between(from, to).Take(3))}");
            Assert.Fail($"the controller's folders import each other in a cycle: {string.Join(" → ", cycle.Select(Name))}\n{string.Join("\n", edges)}");
        }
    }

    [Fact]
    public void Controller_folders_import_only_folders_below_them_in_the_allowed_order()
    {
        var unplaced = Graph.Value.Folders.Where(static f => !AllowedOrder.Contains(f)).ToList();
        Assert.True(unplaced.Count == 0, $"folder(s) {string.Join(", ", unplaced.Select(Name))} are not in {nameof(AllowedOrder)}: place them in the order (LayeringTests.cs)");

        var upward = Graph.Value.References
            .Where(static r => Array.IndexOf(AllowedOrder, r.To) >= Array.IndexOf(AllowedOrder, r.From))
            .Select(r => $"  {Name(r.From)} → {Name(r.To)} at {r}")
            .ToList();
        Assert.True(upward.Count == 0, $"references against the allowed order ({string.Join(" < ", AllowedOrder.Select(Name))}):\n{string.Join("\n", upward)}");
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

    private static string Name(string folder) => folder.Length == 0 ? "(root)" : folder;

    /// <summary>The folder holding Tessera.slnx, found by walking up from the test assembly.</summary>
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tessera.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Tessera.slnx above {AppContext.BaseDirectory}: the layering tests read the sources and need the repository");
    }
}
