using System.Buffers;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Commands;

// COMMAND INFO / COMMAND DOCS reply entries, in the shape redis-server 7.0 writes them (server.c:
// addReplyCommandInfo, addReplyCommandDocs and helpers), so a proxy can answer COMMAND itself.
// Where Redis uses a map the RESP2 form is a flat array; sets (flags, categories, tips, key specs,
// history) become arrays in RESP2. Tested against a live server in both protocols.
public sealed partial class CommandTable
{
    /// <summary>Writes the COMMAND INFO reply entry for <paramref name="spec"/>, as Redis 7.0 would.</summary>
    public static void WriteInfo(IBufferWriter<byte> writer, CommandSpec spec, RespProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(spec);

        RespWriter.WriteArrayHeader(writer, 10);
        RespWriter.WriteBulkString(writer, spec.Name);
        RespWriter.WriteInteger(writer, spec.Arity);
        WriteStatusSet(writer, spec.FlagNames, protocol);
        RespWriter.WriteInteger(writer, spec.FirstKey);
        RespWriter.WriteInteger(writer, spec.LastKey);
        RespWriter.WriteInteger(writer, spec.Step);
        WriteStatusSet(writer, spec.AclCategories, protocol);

        RespWriter.WriteSetHeader(writer, spec.Tips.Count, protocol);
        foreach (string tip in spec.Tips)
        {
            RespWriter.WriteBulkString(writer, tip);
        }

        RespWriter.WriteSetHeader(writer, spec.KeySpecs.Count, protocol);
        foreach (var keySpec in spec.KeySpecs)
        {
            WriteKeySpec(writer, keySpec, protocol);
        }

        // Redis answers an empty set for "no subcommands" but a plain array when there are some.
        if (!spec.HasSubcommands)
        {
            RespWriter.WriteSetHeader(writer, 0, protocol);
            return;
        }

        RespWriter.WriteArrayHeader(writer, spec.Subcommands.Count);
        foreach (var sub in spec.Subcommands)
        {
            WriteInfo(writer, sub, protocol);
        }
    }

    /// <summary>Writes the COMMAND DOCS reply entry (name, then its docs map), as Redis 7.0 would.</summary>
    public static void WriteDocs(IBufferWriter<byte> writer, CommandSpec spec, RespProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(spec);
        RespWriter.WriteBulkString(writer, spec.Name);
        WriteDocsMap(writer, spec, protocol);
    }

    private static void WriteKeySpec(IBufferWriter<byte> writer, KeySpec keySpec, RespProtocol protocol)
    {
        RespWriter.WriteMapHeader(writer, keySpec.Notes is null ? 3 : 4, protocol);
        if (keySpec.Notes is not null)
        {
            RespWriter.WriteBulkString(writer, "notes"u8);
            RespWriter.WriteBulkString(writer, keySpec.Notes);
        }

        RespWriter.WriteBulkString(writer, "flags"u8);
        WriteStatusSet(writer, keySpec.FlagNames, protocol);

        RespWriter.WriteBulkString(writer, "begin_search"u8);
        RespWriter.WriteMapHeader(writer, 2, protocol);
        RespWriter.WriteBulkString(writer, "type"u8);
        switch (keySpec.BeginSearch)
        {
            case BeginSearchKind.Index:
                RespWriter.WriteBulkString(writer, "index"u8);
                RespWriter.WriteBulkString(writer, "spec"u8);
                RespWriter.WriteMapHeader(writer, 1, protocol);
                WriteField(writer, "index"u8, keySpec.Index);
                break;
            case BeginSearchKind.Keyword:
                RespWriter.WriteBulkString(writer, "keyword"u8);
                RespWriter.WriteBulkString(writer, "spec"u8);
                RespWriter.WriteMapHeader(writer, 2, protocol);
                RespWriter.WriteBulkString(writer, "keyword"u8);
                RespWriter.WriteBulkString(writer, keySpec.Keyword ?? "");
                WriteField(writer, "startfrom"u8, keySpec.StartFrom);
                break;
            default:
                RespWriter.WriteBulkString(writer, "unknown"u8);
                RespWriter.WriteBulkString(writer, "spec"u8);
                RespWriter.WriteMapHeader(writer, 0, protocol);
                break;
        }

        RespWriter.WriteBulkString(writer, "find_keys"u8);
        RespWriter.WriteMapHeader(writer, 2, protocol);
        RespWriter.WriteBulkString(writer, "type"u8);
        switch (keySpec.FindKeys)
        {
            case FindKeysKind.Range:
                RespWriter.WriteBulkString(writer, "range"u8);
                RespWriter.WriteBulkString(writer, "spec"u8);
                RespWriter.WriteMapHeader(writer, 3, protocol);
                WriteField(writer, "lastkey"u8, keySpec.LastKey);
                WriteField(writer, "keystep"u8, keySpec.KeyStep);
                WriteField(writer, "limit"u8, keySpec.Limit);
                break;
            case FindKeysKind.Keynum:
                RespWriter.WriteBulkString(writer, "keynum"u8);
                RespWriter.WriteBulkString(writer, "spec"u8);
                RespWriter.WriteMapHeader(writer, 3, protocol);
                WriteField(writer, "keynumidx"u8, keySpec.KeyNumIndex);
                WriteField(writer, "firstkey"u8, keySpec.FirstKey);
                WriteField(writer, "keystep"u8, keySpec.KeyStep);
                break;
            default:
                RespWriter.WriteBulkString(writer, "unknown"u8);
                RespWriter.WriteBulkString(writer, "spec"u8);
                RespWriter.WriteMapHeader(writer, 0, protocol);
                break;
        }
    }

    private static void WriteDocsMap(IBufferWriter<byte> writer, CommandSpec spec, RespProtocol protocol)
    {
        // "group" is always present; everything else only when Redis has it.
        int pairs = 1
            + (spec.Summary.Length > 0 ? 1 : 0)
            + (spec.Since.Length > 0 ? 1 : 0)
            + (spec.Complexity.Length > 0 ? 1 : 0)
            + (spec.DocFlags.Count > 0 ? 1 : 0)
            + (spec.DeprecatedSince.Length > 0 ? 1 : 0)
            + (spec.ReplacedBy.Length > 0 ? 1 : 0)
            + (spec.History.Count > 0 ? 1 : 0)
            + (spec.Arguments.Count > 0 ? 1 : 0)
            + (spec.HasSubcommands ? 1 : 0);
        RespWriter.WriteMapHeader(writer, pairs, protocol);

        WriteOptionalField(writer, "summary"u8, spec.Summary);
        WriteOptionalField(writer, "since"u8, spec.Since);
        RespWriter.WriteBulkString(writer, "group"u8);
        RespWriter.WriteBulkString(writer, spec.Group);
        WriteOptionalField(writer, "complexity"u8, spec.Complexity);
        if (spec.DocFlags.Count > 0)
        {
            RespWriter.WriteBulkString(writer, "doc_flags"u8);
            WriteStatusSet(writer, spec.DocFlags, protocol);
        }

        WriteOptionalField(writer, "deprecated_since"u8, spec.DeprecatedSince);
        WriteOptionalField(writer, "replaced_by"u8, spec.ReplacedBy);
        if (spec.History.Count > 0)
        {
            RespWriter.WriteBulkString(writer, "history"u8);
            RespWriter.WriteSetHeader(writer, spec.History.Count, protocol);
            foreach (var entry in spec.History)
            {
                RespWriter.WriteArrayHeader(writer, 2);
                RespWriter.WriteBulkString(writer, entry.Since);
                RespWriter.WriteBulkString(writer, entry.Changes);
            }
        }

        if (spec.Arguments.Count > 0)
        {
            RespWriter.WriteBulkString(writer, "arguments"u8);
            WriteArguments(writer, spec.Arguments, protocol);
        }

        if (spec.HasSubcommands)
        {
            RespWriter.WriteBulkString(writer, "subcommands"u8);
            RespWriter.WriteMapHeader(writer, spec.Subcommands.Count, protocol);
            foreach (var sub in spec.Subcommands)
            {
                RespWriter.WriteBulkString(writer, sub.Name);
                WriteDocsMap(writer, sub, protocol);
            }
        }
    }

    private static void WriteArguments(IBufferWriter<byte> writer, IReadOnlyList<CommandArgument> arguments, RespProtocol protocol)
    {
        RespWriter.WriteArrayHeader(writer, arguments.Count);
        foreach (var argument in arguments)
        {
            // Redis writes nested arguments for every "oneof"/"block", even an empty list.
            bool nested = argument.Type is "oneof" or "block" || argument.Arguments.Count > 0;
            int pairs = 2
                + (argument.DisplayText is not null ? 1 : 0)
                + (argument.KeySpecIndex >= 0 ? 1 : 0)
                + (argument.Token is not null ? 1 : 0)
                + (argument.Summary is not null ? 1 : 0)
                + (argument.Since is not null ? 1 : 0)
                + (argument.DeprecatedSince is not null ? 1 : 0)
                + (argument.Flags.Count > 0 ? 1 : 0)
                + (argument.Value is not null ? 1 : 0)
                + (nested ? 1 : 0);
            RespWriter.WriteMapHeader(writer, pairs, protocol);
            RespWriter.WriteBulkString(writer, "name"u8);
            RespWriter.WriteBulkString(writer, argument.Name);
            RespWriter.WriteBulkString(writer, "type"u8);
            RespWriter.WriteBulkString(writer, argument.Type);
            WriteNullableField(writer, "display_text"u8, argument.DisplayText);
            if (argument.KeySpecIndex >= 0)
            {
                WriteField(writer, "key_spec_index"u8, argument.KeySpecIndex);
            }

            WriteNullableField(writer, "token"u8, argument.Token);
            WriteNullableField(writer, "summary"u8, argument.Summary);
            WriteNullableField(writer, "since"u8, argument.Since);
            WriteNullableField(writer, "deprecated_since"u8, argument.DeprecatedSince);
            if (argument.Flags.Count > 0)
            {
                RespWriter.WriteBulkString(writer, "flags"u8);
                WriteStatusSet(writer, argument.Flags, protocol);
            }

            WriteNullableField(writer, "value"u8, argument.Value);
            if (nested)
            {
                RespWriter.WriteBulkString(writer, "arguments"u8);
                WriteArguments(writer, argument.Arguments, protocol);
            }
        }
    }

    /// <summary>Redis sends flag-like lists (command flags, ACL categories, key-spec and doc flags) as sets of status strings.</summary>
    private static void WriteStatusSet(IBufferWriter<byte> writer, IReadOnlyList<string> items, RespProtocol protocol)
    {
        RespWriter.WriteSetHeader(writer, items.Count, protocol);
        foreach (string item in items)
        {
            RespWriter.WriteSimpleString(writer, item);
        }
    }

    private static void WriteField(IBufferWriter<byte> writer, ReadOnlySpan<byte> name, long value)
    {
        RespWriter.WriteBulkString(writer, name);
        RespWriter.WriteInteger(writer, value);
    }

    /// <summary>Argument fields are null when absent; an empty value is real (MIGRATE's empty-string token is "").</summary>
    private static void WriteNullableField(IBufferWriter<byte> writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            RespWriter.WriteBulkString(writer, name);
            RespWriter.WriteBulkString(writer, value);
        }
    }

    /// <summary>Command-level doc fields use "" for "Redis has none".</summary>
    private static void WriteOptionalField(IBufferWriter<byte> writer, ReadOnlySpan<byte> name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            RespWriter.WriteBulkString(writer, name);
            RespWriter.WriteBulkString(writer, value);
        }
    }
}
