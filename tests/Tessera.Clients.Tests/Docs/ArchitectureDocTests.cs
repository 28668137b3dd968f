using System.Text.RegularExpressions;

namespace Tessera.Clients.Tests.Docs;

/// <summary>docs/architecture.md names the proxy's types where they are: every <c>Folder/Type</c> it cites exists there.</summary>
public sealed partial class ArchitectureDocTests
{
    [Fact]
    public void Every_proxy_type_the_walk_and_the_layering_name_is_declared_in_that_folder()
    {
        string root = FolderGraph.RepositoryRoot();
        string doc = File.ReadAllText(Path.Combine(root, "docs", "architecture.md"));
        string proxy = Path.Combine(root, "src", "Tessera.Proxy");
        var cited = Cited().Matches(doc).Select(static m => (Folder: m.Groups[1].Value, Type: m.Groups[2].Value)).Distinct().ToList();
        Assert.True(cited.Count >= 20, $"the document cites only {cited.Count} proxy types; did its form change?");

        var missing = cited.Where(c => !Directory.Exists(Path.Combine(proxy, c.Folder))
                || !Directory.EnumerateFiles(Path.Combine(proxy, c.Folder), "*.cs", SearchOption.AllDirectories)
                    .Any(f => Regex.IsMatch(File.ReadAllText(f), $@"\b(class|struct|record|interface|enum)\s+{Regex.Escape(c.Type)}\b")))
            .Select(static c => $"{c.Folder}/{c.Type}")
            .ToList();
        Assert.True(missing.Count == 0, $"docs/architecture.md names types that src/Tessera.Proxy does not declare there: {string.Join(", ", missing)}");
    }

    // `Sessions/ClientSession`, `Sessions/PubSub/SessionPubSub`, `Replies/Ring<InFlightRequest>`, `Backends/BackendServer.ConnectionFor`.
    [GeneratedRegex(@"`((?:Net|Replies|Backends|Routing|Commands|Merging|Migration|Topology|Coordination|Sessions|Hosting)(?:/[A-Z]\w*(?=/))*)/([A-Z]\w*)")]
    private static partial Regex Cited();
}
