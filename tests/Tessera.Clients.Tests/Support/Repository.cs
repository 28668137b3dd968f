using System.Reflection;

namespace Tessera.Clients.Tests.Support;

/// <summary>Paths in the checkout this test assembly was built from (build output may live elsewhere, e.g. /tmp).</summary>
public static class Repository
{
    /// <summary>The checkout's root folder (holds Tessera.slnx).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>tests/clients: the python and node scripts.</summary>
    public static string ClientsDirectory => Path.Combine(Root, "tests", "clients");

    /// <summary>docs/commands.md, the committed compatibility page.</summary>
    public static string CommandsPage => Path.Combine(Root, "docs", "commands.md");

    private static string FindRoot()
    {
        string? root = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (root is null || !File.Exists(Path.Combine(root, "Tessera.slnx")))
        {
            throw new InvalidOperationException($"the checkout recorded at build time ('{root}') has no Tessera.slnx; rebuild the test project from the checkout");
        }

        return root;
    }
}
