namespace Tessera.Resp.Commands;

/// <summary>
/// Redis's flag names → our enums. Unknown names (a newer Redis) map to None: they are kept as text in
/// FlagNames so replies stay faithful, they just cannot be tested through the enum.
/// </summary>
internal static class FlagNames
{
    public static CommandFlags ParseCommandFlags(IReadOnlyList<string> names)
    {
        var flags = CommandFlags.None;
        foreach (string name in names)
        {
            flags |= name switch
            {
                "write" => CommandFlags.Write,
                "readonly" => CommandFlags.ReadOnly,
                "denyoom" => CommandFlags.DenyOom,
                "module" => CommandFlags.Module,
                "admin" => CommandFlags.Admin,
                "pubsub" => CommandFlags.PubSub,
                "noscript" => CommandFlags.NoScript,
                "blocking" => CommandFlags.Blocking,
                "loading" => CommandFlags.Loading,
                "stale" => CommandFlags.Stale,
                "skip_monitor" => CommandFlags.SkipMonitor,
                "skip_slowlog" => CommandFlags.SkipSlowlog,
                "asking" => CommandFlags.Asking,
                "fast" => CommandFlags.Fast,
                "no_auth" => CommandFlags.NoAuth,
                "may_replicate" => CommandFlags.MayReplicate,
                "no_mandatory_keys" => CommandFlags.NoMandatoryKeys,
                "no_multi" => CommandFlags.NoMulti,
                "allow_busy" => CommandFlags.AllowBusy,
                "movablekeys" => CommandFlags.MovableKeys,
                "no_async_loading" => CommandFlags.NoAsyncLoading,
                _ => CommandFlags.None,
            };
        }

        return flags;
    }

    public static KeySpecFlags ParseKeySpecFlags(IReadOnlyList<string> names)
    {
        var flags = KeySpecFlags.None;
        foreach (string name in names)
        {
            flags |= name switch
            {
                "RO" => KeySpecFlags.RO,
                "RW" => KeySpecFlags.RW,
                "OW" => KeySpecFlags.OW,
                "RM" => KeySpecFlags.RM,
                "access" => KeySpecFlags.Access,
                "update" => KeySpecFlags.Update,
                "insert" => KeySpecFlags.Insert,
                "delete" => KeySpecFlags.Delete,
                "not_key" => KeySpecFlags.NotKey,
                "incomplete" => KeySpecFlags.Incomplete,
                "variable_flags" => KeySpecFlags.VariableFlags,
                _ => KeySpecFlags.None,
            };
        }

        return flags;
    }
}
