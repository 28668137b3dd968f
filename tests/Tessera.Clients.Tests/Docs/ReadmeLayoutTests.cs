using System.Text.RegularExpressions;

namespace Tessera.Clients.Tests.Docs;

/// <summary>The README's Layout section lists every project of the repository, so a newcomer finds each one from there.</summary>
public sealed partial class ReadmeLayoutTests
{
    [Fact]
    public void Every_project_is_named_in_the_readme_layout()
    {
        string root = FolderGraph.RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        int start = readme.IndexOf("\n## Layout", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Layout' section");
        int end = readme.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        string layout = end < 0 ? readme[start..] : readme[start..end];

        var projects = Directory.EnumerateFiles(root, "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, Path.GetDirectoryName(p)!).Replace('\\', '/'))
            .Where(static p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal) && !p.StartsWith("artifacts", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("src/Tessera.Proxy", projects);

        // A test project may be named in the row for all of them (`tests/Tessera.*.Tests` ... `Proxy`, ...).
        var missing = projects.Where(p => !layout.Contains($"`{p}`", StringComparison.Ordinal)
                && !(TestProject().Match(p) is { Success: true } test && layout.Contains($"`{test.Groups[1].Value}`", StringComparison.Ordinal)))
            .ToList();
        Assert.True(missing.Count == 0, $"README.md's Layout section does not name: {string.Join(", ", missing)}");
    }

    [GeneratedRegex(@"^tests/Tessera\.(\w+)\.Tests$")]
    private static partial Regex TestProject();
}
