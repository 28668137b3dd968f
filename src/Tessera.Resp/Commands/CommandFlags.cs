namespace Tessera.Resp.Commands;

/// <summary>Command flags as Redis 7 reports them in COMMAND INFO.</summary>
[Flags]
public enum CommandFlags : long
{
    None = 0,
    Write = 1L << 0,
    ReadOnly = 1L << 1,
    DenyOom = 1L << 2,
    Module = 1L << 3,
    Admin = 1L << 4,
    PubSub = 1L << 5,
    NoScript = 1L << 6,
    Blocking = 1L << 7,
    Loading = 1L << 8,
    Stale = 1L << 9,
    SkipMonitor = 1L << 10,
    SkipSlowlog = 1L << 11,
    Asking = 1L << 12,
    Fast = 1L << 13,
    NoAuth = 1L << 14,
    MayReplicate = 1L << 15,
    NoMandatoryKeys = 1L << 16,
    NoMulti = 1L << 17,
    AllowBusy = 1L << 18,
    /// <summary>Redis reports "movablekeys": key positions depend on the arguments (keynum, keywords), not only on legacy first/last/step.</summary>
    MovableKeys = 1L << 19,
    /// <summary>Refused while a replica loads its data asynchronously ("no_async_loading").</summary>
    NoAsyncLoading = 1L << 20,
}

/// <summary>Key-spec flags (COMMAND INFO "flags" of a key specification).</summary>
[Flags]
public enum KeySpecFlags
{
    None = 0,
    RO = 1 << 0,
    RW = 1 << 1,
    OW = 1 << 2,
    RM = 1 << 3,
    Access = 1 << 4,
    Update = 1 << 5,
    Insert = 1 << 6,
    Delete = 1 << 7,
    NotKey = 1 << 8,
    Incomplete = 1 << 9,
    VariableFlags = 1 << 10,
}

/// <summary>How a key spec finds its first key.</summary>
public enum BeginSearchKind
{
    Unknown = 0,
    /// <summary>At a fixed argument index.</summary>
    Index,
    /// <summary>After a keyword, searched from an index (negative: from the end, backwards).</summary>
    Keyword,
}

/// <summary>How a key spec finds the keys after the first.</summary>
public enum FindKeysKind
{
    Unknown = 0,
    /// <summary>A range: last key (relative; -1 = end), step, limit.</summary>
    Range,
    /// <summary>A key count argument followed by the keys.</summary>
    Keynum,
}
