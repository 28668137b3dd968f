namespace Tessera.Resp.Commands;

/// <summary>One argument of a command as COMMAND DOCS describes it (a tree: "oneof" and "block" arguments hold others).</summary>
public sealed class CommandArgument
{
    public required string Name { get; init; }
    /// <summary>"key", "string", "integer", "double", "pattern", "unix-time", "pure-token", "oneof" or "block".</summary>
    public required string Type { get; init; }
    /// <summary>Text to show instead of the name (newer Redis versions); null when absent.</summary>
    public string? DisplayText { get; init; }
    /// <summary>For "key" arguments: the index of the key spec that finds it; -1 otherwise.</summary>
    public int KeySpecIndex { get; init; } = -1;
    /// <summary>The literal token that introduces the argument ("EX", "STORE"); null when there is none.</summary>
    public string? Token { get; init; }
    public string? Summary { get; init; }
    public string? Since { get; init; }
    public string? DeprecatedSince { get; init; }
    /// <summary>"optional", "multiple", "multiple_token", in Redis's order.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];
    public string? Value { get; init; }
    /// <summary>Nested arguments of "oneof" and "block" arguments; empty otherwise.</summary>
    public IReadOnlyList<CommandArgument> Arguments { get; init; } = [];
}

/// <summary>One entry of a command's COMMAND DOCS history: the version and what changed in it.</summary>
public sealed record CommandHistoryEntry(string Since, string Changes);
