namespace Tessera.Resp.Commands;

/// <summary>One Redis 7 key specification: where a command's keys are among its arguments.</summary>
public sealed record KeySpec
{
    /// <summary>Redis's remark on the spec (e.g. why it is incomplete); null when it has none.</summary>
    public string? Notes { get; init; }
    public KeySpecFlags Flags { get; init; }
    /// <summary>The flags exactly as Redis reported them, in its order ("RW", "access", ...), for COMMAND INFO replies.</summary>
    public IReadOnlyList<string> FlagNames { get; init; } = [];
    public BeginSearchKind BeginSearch { get; init; }
    /// <summary>Index begin-search: argument position of the first key (the command name is 0).</summary>
    public int Index { get; init; }
    /// <summary>Keyword begin-search: the keyword, upper-case ASCII.</summary>
    public string? Keyword { get; init; }
    /// <summary>Keyword begin-search: where to start looking (negative counts from the end, searching backwards).</summary>
    public int StartFrom { get; init; }
    public FindKeysKind FindKeys { get; init; }
    /// <summary>Range: index of the last key relative to the first (-1 = last argument, -2 = one before...).</summary>
    public int LastKey { get; init; }
    /// <summary>Range and keynum: step between keys.</summary>
    public int KeyStep { get; init; }
    /// <summary>Range with LastKey -1: 0 = all, 2 = half of the remaining arguments, etc.</summary>
    public int Limit { get; init; }
    /// <summary>Keynum: index of the key-count argument, relative to the begin-search result.</summary>
    public int KeyNumIndex { get; init; }
    /// <summary>Keynum: index of the first key relative to the begin-search result.</summary>
    public int FirstKey { get; init; }

    /// <summary>True when the spec names real keys (Redis also lists NOT_KEY specs, e.g. SPUBLISH's shard channel).</summary>
    public bool IsKey => (Flags & KeySpecFlags.NotKey) == 0;

    /// <summary>
    /// True when Redis itself cannot find every key from this spec alone (INCOMPLETE flag, or an "unknown"
    /// begin-search/find-keys), and falls back to the command's own key-finding code.
    /// </summary>
    public bool IsIncomplete =>
        (Flags & KeySpecFlags.Incomplete) != 0 || BeginSearch == BeginSearchKind.Unknown || FindKeys == FindKeysKind.Unknown;
}
