namespace Tessera.Resp.Commands;

/// <summary>Builds the immutable <see cref="CommandSpec"/> model from the table file's entries.</summary>
internal static class CommandSpecFactory
{
    public static CommandSpec Create(CommandEntry entry)
    {
        var docs = entry.Docs;
        var subcommands = new List<CommandSpec>(entry.Subcommands?.Count ?? 0);
        if (entry.Subcommands is not null)
        {
            foreach (var sub in entry.Subcommands)
            {
                subcommands.Add(Create(sub));
            }

            subcommands.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        return new CommandSpec
        {
            Name = entry.Name,
            Arity = entry.Arity,
            Flags = FlagNames.ParseCommandFlags(entry.Flags),
            FlagNames = entry.Flags.ToArray(),
            FirstKey = entry.FirstKey,
            LastKey = entry.LastKey,
            Step = entry.Step,
            AclCategories = entry.AclCategories.ToArray(),
            Tips = entry.Tips.ToArray(),
            KeySpecs = entry.KeySpecs.ConvertAll(CreateKeySpec),
            Summary = docs?.Summary ?? "",
            Since = docs?.Since ?? "",
            Group = docs?.Group ?? "",
            Complexity = docs?.Complexity ?? "",
            DocFlags = docs?.DocFlags?.ToArray() ?? [],
            DeprecatedSince = docs?.DeprecatedSince ?? "",
            ReplacedBy = docs?.ReplacedBy ?? "",
            History = docs?.History?.ConvertAll(static h => new CommandHistoryEntry(h.Since, h.Changes)) ?? [],
            Arguments = CreateArguments(docs?.Arguments),
            Subcommands = subcommands,
        };
    }

    private static KeySpec CreateKeySpec(KeySpecEntry entry)
    {
        var begin = entry.BeginSearch;
        var find = entry.FindKeys;
        return new KeySpec
        {
            Notes = entry.Notes,
            Flags = FlagNames.ParseKeySpecFlags(entry.Flags),
            FlagNames = entry.Flags.ToArray(),
            BeginSearch = begin.Type switch
            {
                "index" => BeginSearchKind.Index,
                "keyword" => BeginSearchKind.Keyword,
                _ => BeginSearchKind.Unknown,
            },
            Index = begin.Index ?? 0,
            Keyword = begin.Keyword,
            StartFrom = begin.StartFrom ?? 0,
            FindKeys = find.Type switch
            {
                "range" => FindKeysKind.Range,
                "keynum" => FindKeysKind.Keynum,
                _ => FindKeysKind.Unknown,
            },
            LastKey = find.LastKey ?? 0,
            KeyStep = find.KeyStep ?? 1,
            Limit = find.Limit ?? 0,
            KeyNumIndex = find.KeyNumIdx ?? 0,
            FirstKey = find.FirstKey ?? 0,
        };
    }

    private static CommandArgument[] CreateArguments(List<ArgumentEntry>? entries)
    {
        if (entries is null || entries.Count == 0)
        {
            return [];
        }

        var arguments = new CommandArgument[entries.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            var e = entries[i];
            arguments[i] = new CommandArgument
            {
                Name = e.Name,
                Type = e.Type,
                DisplayText = e.DisplayText,
                KeySpecIndex = e.KeySpecIndex ?? -1,
                Token = e.Token,
                Summary = e.Summary,
                Since = e.Since,
                DeprecatedSince = e.DeprecatedSince,
                Flags = e.Flags?.ToArray() ?? [],
                Value = e.Value,
                Arguments = CreateArguments(e.Arguments),
            };
        }

        return arguments;
    }
}
