using System.Text;
using Tessera.Resp.Values;

namespace Tessera.Resp.Commands;

/// <summary>
/// Turns a live server's COMMAND INFO and COMMAND DOCS replies (RESP2 or RESP3: maps arrive as flat
/// key/value lists either way) into the table file's document. Fields this code does not know make it
/// throw, so a newer Redis cannot silently lose metadata: extend the document, then regenerate.
/// </summary>
internal static class CommandReplyReader
{
    public static CommandTableDocument Read(RespValue commandInfo, RespValue commandDocs, string redisVersion)
    {
        var docs = new Dictionary<string, DocsEntry>(StringComparer.OrdinalIgnoreCase);
        ReadDocsMap(commandDocs, docs, "COMMAND DOCS");

        var commands = new List<CommandEntry>();
        foreach (var item in Items(commandInfo, "COMMAND INFO"))
        {
            // COMMAND INFO answers null for names it does not know; a full listing has none, but be lenient.
            if (item.IsNull)
            {
                continue;
            }

            commands.Add(ReadInfo(item, docs));
        }

        commands.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new CommandTableDocument
        {
            RedisVersion = redisVersion,
            GeneratedBy = "tools/CommandTableGen from COMMAND INFO and COMMAND DOCS",
            Commands = commands,
        };
    }

    private static CommandEntry ReadInfo(RespValue value, Dictionary<string, DocsEntry> docs)
    {
        var items = Items(value, "COMMAND INFO entry");
        if (items.Count < 10)
        {
            throw new InvalidDataException(
                $"A COMMAND INFO entry has {items.Count} fields; Redis 7 sends 10 (with tips, key specs and subcommands). Generate the table from Redis 7.0 or newer.");
        }

        string name = Text(items[0], "command name");
        var entry = new CommandEntry
        {
            Name = name,
            Arity = Int(items[1], name + " arity"),
            Flags = Strings(items[2], name + " flags"),
            FirstKey = Int(items[3], name + " first key"),
            LastKey = Int(items[4], name + " last key"),
            Step = Int(items[5], name + " step"),
            AclCategories = Strings(items[6], name + " ACL categories"),
            Tips = Strings(items[7], name + " tips"),
            Docs = docs.GetValueOrDefault(name),
        };

        foreach (var keySpec in Items(items[8], name + " key specs"))
        {
            entry.KeySpecs.Add(ReadKeySpec(keySpec, name));
        }

        var subs = Items(items[9], name + " subcommands");
        if (subs.Count > 0)
        {
            entry.Subcommands = [];
            foreach (var sub in subs)
            {
                entry.Subcommands.Add(ReadInfo(sub, docs));
            }

            entry.Subcommands.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        return entry;
    }

    private static KeySpecEntry ReadKeySpec(RespValue value, string command)
    {
        string? notes = null;
        List<string>? flags = null;
        BeginSearchEntry? begin = null;
        FindKeysEntry? find = null;
        foreach (var (key, field) in Pairs(value, command + " key spec"))
        {
            switch (key)
            {
                case "notes": notes = Text(field, command + " key spec notes"); break;
                case "flags": flags = Strings(field, command + " key spec flags"); break;
                case "begin_search": begin = ReadBeginSearch(field, command); break;
                case "find_keys": find = ReadFindKeys(field, command); break;
                default: throw Unsupported(command + " key spec", key);
            }
        }

        return new KeySpecEntry
        {
            Notes = notes,
            Flags = flags ?? [],
            BeginSearch = begin ?? throw new InvalidDataException($"{command}: a key spec has no begin_search."),
            FindKeys = find ?? throw new InvalidDataException($"{command}: a key spec has no find_keys."),
        };
    }

    private static BeginSearchEntry ReadBeginSearch(RespValue value, string command)
    {
        string? type = null;
        RespValue? spec = null;
        foreach (var (key, field) in Pairs(value, command + " begin_search"))
        {
            switch (key)
            {
                case "type": type = Text(field, command + " begin_search type"); break;
                case "spec": spec = field; break;
                default: throw Unsupported(command + " begin_search", key);
            }
        }

        var entry = new BeginSearchEntry { Type = type ?? throw new InvalidDataException($"{command}: begin_search has no type.") };
        if (spec is not null)
        {
            foreach (var (key, field) in Pairs(spec, command + " begin_search spec"))
            {
                switch (key)
                {
                    case "index": entry.Index = Int(field, command + " begin_search index"); break;
                    case "keyword": entry.Keyword = Text(field, command + " begin_search keyword"); break;
                    case "startfrom": entry.StartFrom = Int(field, command + " begin_search startfrom"); break;
                    default: throw Unsupported(command + " begin_search spec", key);
                }
            }
        }

        return entry;
    }

    private static FindKeysEntry ReadFindKeys(RespValue value, string command)
    {
        string? type = null;
        RespValue? spec = null;
        foreach (var (key, field) in Pairs(value, command + " find_keys"))
        {
            switch (key)
            {
                case "type": type = Text(field, command + " find_keys type"); break;
                case "spec": spec = field; break;
                default: throw Unsupported(command + " find_keys", key);
            }
        }

        var entry = new FindKeysEntry { Type = type ?? throw new InvalidDataException($"{command}: find_keys has no type.") };
        if (spec is not null)
        {
            foreach (var (key, field) in Pairs(spec, command + " find_keys spec"))
            {
                int number = Int(field, command + " find_keys " + key);
                switch (key)
                {
                    case "lastkey": entry.LastKey = number; break;
                    case "keystep": entry.KeyStep = number; break;
                    case "limit": entry.Limit = number; break;
                    case "keynumidx": entry.KeyNumIdx = number; break;
                    case "firstkey": entry.FirstKey = number; break;
                    default: throw Unsupported(command + " find_keys spec", key);
                }
            }
        }

        return entry;
    }

    /// <summary>COMMAND DOCS (and a container's "subcommands") is a map of full name → docs map.</summary>
    private static void ReadDocsMap(RespValue value, Dictionary<string, DocsEntry> docs, string what)
    {
        foreach (var (name, field) in Pairs(value, what))
        {
            docs[name] = ReadDocs(field, name, docs);
        }
    }

    private static DocsEntry ReadDocs(RespValue value, string command, Dictionary<string, DocsEntry> docs)
    {
        var entry = new DocsEntry();
        foreach (var (key, field) in Pairs(value, command + " docs"))
        {
            string what = command + " docs " + key;
            switch (key)
            {
                case "summary": entry.Summary = Text(field, what); break;
                case "since": entry.Since = Text(field, what); break;
                case "group": entry.Group = Text(field, what); break;
                case "complexity": entry.Complexity = Text(field, what); break;
                case "doc_flags": entry.DocFlags = Strings(field, what); break;
                case "deprecated_since": entry.DeprecatedSince = Text(field, what); break;
                case "replaced_by": entry.ReplacedBy = Text(field, what); break;
                case "history": entry.History = ReadHistory(field, what); break;
                case "arguments": entry.Arguments = ReadArguments(field, command); break;
                case "subcommands": ReadDocsMap(field, docs, what); break;
                default: throw Unsupported(command + " docs", key);
            }
        }

        return entry;
    }

    private static List<HistoryEntry> ReadHistory(RespValue value, string what)
    {
        var history = new List<HistoryEntry>();
        foreach (var item in Items(value, what))
        {
            var pair = Items(item, what);
            if (pair.Count != 2)
            {
                throw new InvalidDataException($"{what}: expected [version, changes], got {pair.Count} items.");
            }

            history.Add(new HistoryEntry { Since = Text(pair[0], what), Changes = Text(pair[1], what) });
        }

        return history;
    }

    private static List<ArgumentEntry> ReadArguments(RespValue value, string command)
    {
        var arguments = new List<ArgumentEntry>();
        foreach (var item in Items(value, command + " arguments"))
        {
            string? name = null;
            string? type = null;
            var entry = new ArgumentEntry { Name = "", Type = "" };
            foreach (var (key, field) in Pairs(item, command + " argument"))
            {
                string what = $"{command} argument {name} {key}";
                switch (key)
                {
                    case "name": name = Text(field, what); break;
                    case "type": type = Text(field, what); break;
                    case "display_text": entry.DisplayText = Text(field, what); break;
                    case "key_spec_index": entry.KeySpecIndex = Int(field, what); break;
                    case "token": entry.Token = Text(field, what); break;
                    case "summary": entry.Summary = Text(field, what); break;
                    case "since": entry.Since = Text(field, what); break;
                    case "deprecated_since": entry.DeprecatedSince = Text(field, what); break;
                    case "flags": entry.Flags = Strings(field, what); break;
                    case "value": entry.Value = Text(field, what); break;
                    case "arguments": entry.Arguments = ReadArguments(field, command); break;
                    default: throw Unsupported(command + " argument", key);
                }
            }

            entry.Name = name ?? throw new InvalidDataException($"{command}: an argument has no name.");
            entry.Type = type ?? throw new InvalidDataException($"{command}: argument {name} has no type.");
            arguments.Add(entry);
        }

        return arguments;
    }

    private static IReadOnlyList<RespValue> Items(RespValue value, string what)
    {
        if (value.IsError)
        {
            throw new InvalidDataException($"{what}: the server answered an error: {Decode(value)}");
        }

        return value.Items ?? throw new InvalidDataException($"{what}: expected an aggregate, got {value.Kind}.");
    }

    private static IEnumerable<(string Key, RespValue Value)> Pairs(RespValue value, string what)
    {
        var items = Items(value, what);
        if (items.Count % 2 != 0)
        {
            throw new InvalidDataException($"{what}: expected key/value pairs, got {items.Count} items.");
        }

        for (int i = 0; i < items.Count; i += 2)
        {
            yield return (Text(items[i], what), items[i + 1]);
        }
    }

    private static List<string> Strings(RespValue value, string what)
    {
        var items = Items(value, what);
        var list = new List<string>(items.Count);
        foreach (var item in items)
        {
            list.Add(Text(item, what));
        }

        return list;
    }

    private static string Text(RespValue value, string what) => value.Kind switch
    {
        RespKind.SimpleString or RespKind.BulkString or RespKind.Verbatim => Decode(value),
        _ => throw new InvalidDataException($"{what}: expected a string, got {value.Kind}."),
    };

    private static int Int(RespValue value, string what) => value.Kind == RespKind.Integer
        ? checked((int)value.Integer)
        : throw new InvalidDataException($"{what}: expected an integer, got {value.Kind}.");

    private static string Decode(RespValue value) => value.Bytes is null ? "" : Encoding.UTF8.GetString(value.Bytes);

    private static NotSupportedException Unsupported(string where, string key) => new(
        $"{where}: field '{key}' is not known to the command table. Add it to CommandTableDocument (and the COMMAND INFO/DOCS writers), then regenerate.");
}
