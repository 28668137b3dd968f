using System.Text.RegularExpressions;

namespace Tessera.Testing;

/// <summary>One reference from a file of one folder to a type or namespace of another folder.</summary>
/// <param name="From">The referring folder ("" for the project root).</param>
/// <param name="To">The folder referred to.</param>
/// <param name="File">The referring file, relative to the project.</param>
/// <param name="Line">1-based line of the reference.</param>
/// <param name="Text">The reference as written.</param>
public sealed record FolderReference(string From, string To, string File, int Line, string Text)
{
    public override string ToString() => $"{File}:{Line} ({Text})";
}

/// <summary>
/// The folder-level import graph of one project, read from its source text: <c>using Root.X…</c> lines,
/// fully-qualified <c>Root.X.</c> references, and references written relative to the project's namespace
/// (<c>X.SomeType</c>, where SomeType is declared in folder X), which C# resolves without a using and which
/// would otherwise hide an edge. Comments count too: a <c>cref</c> must resolve, so it is a dependency.
/// </summary>
public sealed partial class FolderGraph
{
    private readonly Dictionary<string, List<FolderReference>> _edges = new(StringComparer.Ordinal);

    private FolderGraph(string root, IReadOnlyList<string> folders, IReadOnlyList<string> namespaceMismatches)
    {
        Root = root;
        Folders = folders;
        NamespaceMismatches = namespaceMismatches;
    }

    /// <summary>The project's root namespace (<c>Tessera.Controller</c>).</summary>
    public string Root { get; }

    /// <summary>Top-level folders holding .cs files, "" for the project folder itself.</summary>
    public IReadOnlyList<string> Folders { get; }

    /// <summary>"file: namespace N, expected M" for every file whose namespace is not its folder path.</summary>
    public IReadOnlyList<string> NamespaceMismatches { get; }

    /// <summary>Every folder → folder edge with the references behind it.</summary>
    public IEnumerable<FolderReference> References => _edges.Values.SelectMany(static r => r);

    /// <summary>The folders <paramref name="folder"/> refers to.</summary>
    public IEnumerable<string> DependenciesOf(string folder) =>
        References.Where(r => r.From == folder).Select(static r => r.To).Distinct(StringComparer.Ordinal);

    /// <summary>The references from <paramref name="from"/> to <paramref name="to"/> (for messages).</summary>
    public IReadOnlyList<FolderReference> Between(string from, string to) =>
        _edges.TryGetValue(Key(from, to), out var list) ? list : [];

    /// <summary>The graph of <c>src/<paramref name="project"/></c> of this repository, whose root namespace is the project's name.</summary>
    public static FolderGraph ReadSourceProject(string project) => Read(Path.Combine(RepositoryRoot(), "src", project), project);

    /// <summary>
    /// Null when the folders import each other in one direction only, else the cycle found with the references
    /// behind each of its edges (at most three each), for an assertion message.
    /// </summary>
    public string? DescribeCycle()
    {
        var cycle = FindCycle(Edges());
        if (cycle is null)
        {
            return null;
        }

        var edges = cycle.Zip(cycle.Skip(1), (from, to) => $"  {Name(from)} → {Name(to)}: {string.Join(", ", Between(from, to).Take(3))}");
        return $"the folders of {Root} import each other in a cycle: {string.Join(" → ", cycle.Select(Name))}\n{string.Join("\n", edges)}";
    }

    /// <summary>
    /// Null when every folder is in <paramref name="allowedOrder"/> (bottom first) and refers only to folders before
    /// it there; else what is wrong: the folders not placed, or each reference that points up the order.
    /// </summary>
    public string? DescribeAgainstOrder(IReadOnlyList<string> allowedOrder)
    {
        var unplaced = Folders.Where(f => !allowedOrder.Contains(f)).ToList();
        if (unplaced.Count > 0)
        {
            return $"folder(s) {string.Join(", ", unplaced.Select(Name))} of {Root} are not in the allowed order: place them in it";
        }

        var upward = References
            .Where(r => IndexOf(allowedOrder, r.To) >= IndexOf(allowedOrder, r.From))
            .Select(r => $"  {Name(r.From)} → {Name(r.To)} at {r}")
            .ToList();
        return upward.Count == 0
            ? null
            : $"references of {Root} against the allowed order ({string.Join(" < ", allowedOrder.Select(Name))}):\n{string.Join("\n", upward)}";

        static int IndexOf(IReadOnlyList<string> order, string folder)
        {
            for (int i = 0; i < order.Count; i++)
            {
                if (order[i] == folder)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>A folder as messages name it ("(root)" for the project folder).</summary>
    public static string Name(string folder) => folder.Length == 0 ? "(root)" : folder;

    /// <summary>The folder holding Tessera.slnx, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot()
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

    /// <summary>Reads every .cs file under <paramref name="projectDirectory"/> (bin/ and obj/ left out).</summary>
    public static FolderGraph Read(string projectDirectory, string rootNamespace)
    {
        var files = Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(projectDirectory, f).Replace('\\', '/'))
            .Where(static f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var texts = files.ToDictionary(static f => f, f => File.ReadAllLines(Path.Combine(projectDirectory, f)), StringComparer.Ordinal);
        var folders = files.Select(FolderOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        // Types per folder, to see relative references such as "Failover.ReplicaSelection".
        var typesByFolder = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var mismatches = new List<string>();
        foreach (var (file, lines) in texts)
        {
            var expected = string.Join('.', new[] { rootNamespace }.Concat(Path.GetDirectoryName(file)!.Split('/', StringSplitOptions.RemoveEmptyEntries)));
            var declared = lines.Select(static l => NamespaceLine().Match(l)).FirstOrDefault(static m => m.Success)?.Groups[1].Value;
            if (declared != expected)
            {
                mismatches.Add($"{file}: namespace {declared ?? "(none)"}, expected {expected}");
            }

            var types = typesByFolder.TryGetValue(FolderOf(file), out var set) ? set : typesByFolder[FolderOf(file)] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                if (TypeDeclaration().Match(line) is { Success: true } type)
                {
                    types.Add(type.Groups[1].Value);
                }
            }
        }

        var graph = new FolderGraph(rootNamespace, folders, mismatches);
        var qualified = new Regex($@"(?<![\w.]){Regex.Escape(rootNamespace)}\.([A-Z]\w*)\b");
        foreach (var (file, lines) in texts)
        {
            var from = FolderOf(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match match in qualified.Matches(lines[i]))
                {
                    graph.Add(from, match.Groups[1].Value, file, i + 1, match.Value);
                }

                foreach (var (folder, types) in typesByFolder)
                {
                    if (folder.Length == 0 || folder == from || !lines[i].Contains(folder + ".", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    foreach (Match match in Regex.Matches(lines[i], $@"(?<![\w.]){Regex.Escape(folder)}\.([A-Z]\w*)\b"))
                    {
                        if (types.Contains(match.Groups[1].Value))
                        {
                            graph.Add(from, folder, file, i + 1, match.Value);
                        }
                    }
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// A cycle of folders (first folder repeated at the end), or null when the graph has none. Depth-first
    /// search from each folder in name order, so the same graph always reports the same cycle.
    /// </summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, IReadOnlyCollection<string>> edges)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the current path, 2: done
        var path = new List<string>();
        foreach (var start in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return null;
            }

            if (state.GetValueOrDefault(node) == 1)
            {
                return [.. path.Skip(path.IndexOf(node)), node];
            }

            state[node] = 1;
            path.Add(node);
            foreach (var next in (edges.TryGetValue(node, out var targets) ? targets : []).Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    /// <summary>The graph as folder → folders it refers to (every folder present, self-references left out).</summary>
    public IReadOnlyDictionary<string, IReadOnlyCollection<string>> Edges() =>
        Folders.ToDictionary(static f => f, f => (IReadOnlyCollection<string>)[.. DependenciesOf(f)], StringComparer.Ordinal);

    private void Add(string from, string to, string file, int line, string text)
    {
        if (from == to)
        {
            return;
        }

        var key = Key(from, to);
        if (!_edges.TryGetValue(key, out var list))
        {
            _edges[key] = list = [];
        }

        list.Add(new FolderReference(from, to, file, line, text));
    }

    private static string Key(string from, string to) => from + "→" + to;

    private static string FolderOf(string file) => file.Contains('/', StringComparison.Ordinal) ? file[..file.IndexOf('/', StringComparison.Ordinal)] : "";

    [GeneratedRegex(@"^namespace ([\w.]+)\s*;")]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^(?:public |internal )?(?:(?:static|sealed|abstract|readonly|partial|file)\s+)*(?:class|struct|record(?: struct| class)?|enum|interface)\s+(\w+)")]
    private static partial Regex TypeDeclaration();
}
