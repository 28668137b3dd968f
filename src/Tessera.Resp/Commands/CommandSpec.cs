namespace Tessera.Resp.Commands;

/// <summary>
/// One Redis command (or subcommand, named "container|sub" as Redis names them) as described by
/// Redis 7's COMMAND INFO and COMMAND DOCS: arity, flags, key specs and documentation.
/// Immutable once built; safe to share between threads.
/// </summary>
public sealed class CommandSpec
{
    private KeySpec[] _keySpecs = [];
    private CommandSpec[] _subcommands = [];
    private NameLookup? _subcommandLookup;
    private bool _hasKeys;
    private bool _hasKeysGiven;
    private string? _displayName;
    // -1 = not computed yet. Computing twice on a race is harmless: both threads store the same value.
    private int _keyFallback = -1;

    /// <summary>Lower-case name; subcommands are "parent|sub" (e.g. "object|encoding").</summary>
    public required string Name { get; init; }
    /// <summary>Redis arity: positive = exact argument count, negative = at least -arity.</summary>
    public int Arity { get; init; }
    public CommandFlags Flags { get; init; }
    /// <summary>The flags exactly as Redis reported them, in its order ("write", "denyoom", ...), for COMMAND INFO replies.</summary>
    public IReadOnlyList<string> FlagNames { get; init; } = [];
    public IReadOnlyList<string> AclCategories { get; init; } = [];
    /// <summary>Hints for clients and proxies ("request_policy:all_shards", "nondeterministic_output"...).</summary>
    public IReadOnlyList<string> Tips { get; init; } = [];

    /// <summary>Redis 7 key specifications, in Redis's order (a "key" argument's KeySpecIndex points into this list).</summary>
    public IReadOnlyList<KeySpec> KeySpecs
    {
        get => _keySpecs;
        init
        {
            _keySpecs = [.. value];
            if (!_hasKeysGiven)
            {
                _hasKeys = ComputeHasKeys(_keySpecs);
            }
        }
    }

    /// <summary>Legacy first/last/step key positions from COMMAND INFO.</summary>
    public int FirstKey { get; init; }
    public int LastKey { get; init; }
    public int Step { get; init; }
    /// <summary>COMMAND DOCS: summary, since, group, complexity; empty when Redis has none.</summary>
    public string Summary { get; init; } = "";
    public string Since { get; init; } = "";
    public string Group { get; init; } = "";
    public string Complexity { get; init; } = "";
    /// <summary>COMMAND DOCS doc_flags ("deprecated", "syscmd").</summary>
    public IReadOnlyList<string> DocFlags { get; init; } = [];
    /// <summary>Version that deprecated the command; empty when it is not deprecated.</summary>
    public string DeprecatedSince { get; init; } = "";
    /// <summary>What replaces a deprecated command (e.g. "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument").</summary>
    public string ReplacedBy { get; init; } = "";
    public IReadOnlyList<CommandHistoryEntry> History { get; init; } = [];
    /// <summary>The argument tree from COMMAND DOCS.</summary>
    public IReadOnlyList<CommandArgument> Arguments { get; init; } = [];

    /// <summary>Subcommands in name order; each one's <see cref="Parent"/> is set to this command.</summary>
    public IReadOnlyList<CommandSpec> Subcommands
    {
        get => _subcommands;
        init
        {
            _subcommands = [.. value];
            var lookup = new NameLookup();
            foreach (var sub in _subcommands)
            {
                sub.Parent = this;
                int bar = sub.Name.IndexOf('|', StringComparison.Ordinal);
                lookup.Add(bar >= 0 ? sub.Name[(bar + 1)..] : sub.Name, sub);
            }

            _subcommandLookup = lookup;
        }
    }

    public CommandSpec? Parent { get; internal set; }

    /// <summary>True for container commands (CONFIG, OBJECT, XINFO...) whose second argument picks a subcommand.</summary>
    public bool HasSubcommands => _subcommands.Length > 0;

    /// <summary>True when the command has key specs (other than NOT_KEY ones).</summary>
    /// <remarks>Derived from <see cref="KeySpecs"/> unless given explicitly; fixed once the object is built.</remarks>
    public bool HasKeys
    {
        get => _hasKeys;
        init
        {
            _hasKeys = value;
            _hasKeysGiven = true;
        }
    }

    /// <summary>True when Redis reported "movablekeys": the key positions depend on the arguments.</summary>
    public bool MovableKeys => (Flags & CommandFlags.MovableKeys) != 0;

    /// <summary>True when at least one (key) spec cannot find its keys alone (see <see cref="KeySpec.IsIncomplete"/>).</summary>
    public bool HasIncompleteKeySpecs
    {
        get
        {
            foreach (var keySpec in _keySpecs)
            {
                if (keySpec.IsKey && keySpec.IsIncomplete)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Upper-case name for messages ("GET", "OBJECT ENCODING").</summary>
    /// <remarks>Built on first use and cached (a racing second build stores an equal string).</remarks>
    public string DisplayName => _displayName ??= Name.Replace('|', ' ').ToUpperInvariant();

    /// <summary>The key specs as an array, for the allocation-free key extractor.</summary>
    internal ReadOnlySpan<KeySpec> KeySpecSpan => _keySpecs;

    /// <summary>Which hand-written rule completes this command's key specs, if Redis marks them incomplete.</summary>
    internal KeyFallback KeyFallback
    {
        get
        {
            int value = Volatile.Read(ref _keyFallback);
            if (value < 0)
            {
                value = (int)KeyExtractor.FallbackFor(this);
                Volatile.Write(ref _keyFallback, value);
            }

            return (KeyFallback)value;
        }
    }

    /// <summary>True when every flag in <paramref name="flags"/> is set.</summary>
    public bool Has(CommandFlags flags) => (Flags & flags) == flags;

    /// <summary>Finds a subcommand by its name, ignoring case; no allocation.</summary>
    public CommandSpec? FindSubcommand(ReadOnlySpan<byte> name) => _subcommandLookup?.Find(name);

    /// <summary>Finds a subcommand by its short name ("encoding"), ignoring case.</summary>
    public CommandSpec? FindSubcommand(string name) => _subcommandLookup?.Find(name);

    /// <summary>True when <paramref name="argCount"/> (command name included) satisfies the arity.</summary>
    public bool ArityAllows(int argCount) => Arity >= 0 ? argCount == Arity : argCount >= -Arity;

    /// <inheritdoc />
    public override string ToString() => DisplayName;

    private static bool ComputeHasKeys(KeySpec[] keySpecs)
    {
        foreach (var keySpec in keySpecs)
        {
            if (keySpec.IsKey)
            {
                return true;
            }
        }

        return false;
    }
}
