namespace Tessera.Resp.Commands;

/// <summary>
/// One Redis command (or subcommand, named "container|sub" as Redis names them) as described by
/// Redis 7's COMMAND INFO and COMMAND DOCS: arity, flags, key specs and documentation.
/// </summary>
public sealed class CommandSpec
{
    /// <summary>Lower-case name; subcommands are "parent|sub" (e.g. "object|encoding").</summary>
    public required string Name { get; init; }
    /// <summary>Redis arity: positive = exact argument count, negative = at least -arity.</summary>
    public int Arity { get; init; }
    public CommandFlags Flags { get; init; }
    public IReadOnlyList<string> AclCategories { get; init; } = [];
    public IReadOnlyList<string> Tips { get; init; } = [];
    public IReadOnlyList<KeySpec> KeySpecs { get; init; } = [];
    /// <summary>Legacy first/last/step key positions from COMMAND INFO.</summary>
    public int FirstKey { get; init; }
    public int LastKey { get; init; }
    public int Step { get; init; }
    /// <summary>COMMAND DOCS: summary, since, group, complexity; empty when Redis has none.</summary>
    public string Summary { get; init; } = "";
    public string Since { get; init; } = "";
    public string Group { get; init; } = "";
    public string Complexity { get; init; } = "";
    public IReadOnlyList<CommandSpec> Subcommands { get; init; } = [];
    public CommandSpec? Parent { get; internal set; }

    /// <summary>True for container commands (CONFIG, OBJECT, XINFO...) whose second argument picks a subcommand.</summary>
    public bool HasSubcommands => Subcommands.Count > 0;

    /// <summary>True when the command has key specs (other than NOT_KEY ones).</summary>
    public bool HasKeys { get; init; }

    /// <summary>Upper-case name for messages ("GET", "OBJECT ENCODING").</summary>
    public string DisplayName => Name.Replace('|', ' ').ToUpperInvariant();

    /// <summary>Finds a subcommand by its name, ignoring case; no allocation.</summary>
    public CommandSpec? FindSubcommand(ReadOnlySpan<byte> name) => throw new NotImplementedException();

    /// <summary>True when <paramref name="argCount"/> (command name included) satisfies the arity.</summary>
    public bool ArityAllows(int argCount) => Arity >= 0 ? argCount == Arity : argCount >= -Arity;
}
