using System.Buffers;
using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Resp.Commands;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>COMMAND and its subcommands, answered from the generated table and the proxy's own key finding.</remarks>
internal sealed partial class ClientSession
{
    private void CommandCommand(RequestFrame frame, LocalCommand command)
    {
        var table = _context.Policies.Table;
        switch (command)
        {
            case LocalCommand.Command:
                {
                    if (frame.Count > 1)
                    {
                        // An unknown subcommand resolves to COMMAND itself: answer as Redis does.
                        ReplyError($"ERR unknown subcommand '{Encoding.UTF8.GetString(frame.ArgSpan(1))}'. Try COMMAND HELP.");
                        return;
                    }

                    var w = BeginLocal();
                    RespWriter.WriteArrayHeader(w, table.Commands.Count);
                    foreach (var spec in table.Commands)
                    {
                        CommandTable.WriteInfo(w, spec, Protocol);
                    }

                    EndLocal();
                    break;
                }

            case LocalCommand.CommandCount:
                RespWriter.WriteInteger(BeginLocal(), table.Commands.Count);
                EndLocal();
                break;
            case LocalCommand.CommandList:
                CommandList(frame);
                break;

            case LocalCommand.CommandInfo:
                {
                    var w = BeginLocal();
                    if (frame.Count == 2)
                    {
                        RespWriter.WriteArrayHeader(w, table.Commands.Count);
                        foreach (var spec in table.Commands)
                        {
                            CommandTable.WriteInfo(w, spec, Protocol);
                        }
                    }
                    else
                    {
                        RespWriter.WriteArrayHeader(w, frame.Count - 2);
                        for (int i = 2; i < frame.Count; i++)
                        {
                            if (table.Find(Encoding.UTF8.GetString(frame.ArgSpan(i))) is { } spec)
                            {
                                CommandTable.WriteInfo(w, spec, Protocol);
                            }
                            else
                            {
                                RespWriter.WriteNull(w, Protocol);
                            }
                        }
                    }

                    EndLocal();
                    break;
                }

            case LocalCommand.CommandDocs:
                {
                    var specs = new List<CommandSpec>();
                    if (frame.Count == 2)
                    {
                        specs.AddRange(table.Commands);
                    }
                    else
                    {
                        for (int i = 2; i < frame.Count; i++)
                        {
                            if (table.Find(Encoding.UTF8.GetString(frame.ArgSpan(i))) is { } spec)
                            {
                                specs.Add(spec);
                            }
                        }
                    }

                    var w = BeginLocal();
                    RespWriter.WriteMapHeader(w, specs.Count, Protocol);
                    foreach (var spec in specs)
                    {
                        CommandTable.WriteDocs(w, spec, Protocol);
                    }

                    EndLocal();
                    break;
                }

            case LocalCommand.CommandGetKeys:
                CommandGetKeys(frame, withFlags: false);
                break;
            case LocalCommand.CommandGetKeysAndFlags:
                CommandGetKeys(frame, withFlags: true);
                break;
        }
    }

    /// <summary>
    /// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: every command and subcommand of the
    /// table (Redis lists subcommands too); a module filter matches none (no modules), an unknown category none,
    /// a pattern is matched without case against the full name (<c>config|get</c>), as Redis 7.0 does. The order is
    /// the table's, where Redis's is its hash table's.
    /// </summary>
    private void CommandList(RequestFrame frame)
    {
        Func<CommandSpec, bool> keep = static _ => true;
        if (frame.Count > 2)
        {
            if (frame.Count != 5 || !frame.ArgEquals(2, "FILTERBY"u8))
            {
                ReplyError("ERR syntax error");
                return;
            }

            byte[] value = frame.ArgSpan(4).ToArray();
            if (frame.ArgEquals(3, "MODULE"u8))
            {
                keep = static _ => false;
            }
            else if (frame.ArgEquals(3, "ACLCAT"u8))
            {
                string category = "@" + Encoding.UTF8.GetString(value);
                keep = spec => spec.AclCategories.Contains(category, StringComparer.OrdinalIgnoreCase);
            }
            else if (frame.ArgEquals(3, "PATTERN"u8))
            {
                keep = spec => GlobPattern.Matches(value, Encoding.UTF8.GetBytes(spec.Name), ignoreCase: true);
            }
            else
            {
                ReplyError("ERR syntax error");
                return;
            }
        }

        var names = new List<string>();
        foreach (var command in _context.Policies.Table.Commands)
        {
            foreach (var spec in command.Subcommands.Prepend(command))
            {
                if (keep(spec))
                {
                    names.Add(spec.Name);
                }
            }
        }

        var w = BeginLocal();
        RespWriter.WriteArrayHeader(w, names.Count);
        foreach (string name in names)
        {
            RespWriter.WriteBulkString(w, name);
        }

        EndLocal();
    }

    /// <summary>
    /// COMMAND GETKEYS / GETKEYSANDFLAGS cmd arg...: the keys as the proxy itself finds them (the same code that
    /// routes), with each key's key-spec flags for GETKEYSANDFLAGS; checks and errors in Redis 7.0's order.
    /// </summary>
    private void CommandGetKeys(RequestFrame frame, bool withFlags)
    {
        // Re-encode the inner command so it can be parsed into a frame of its own.
        var inner = new ArrayBufferWriter<byte>();
        RespWriter.WriteArrayHeader(inner, frame.Count - 2);
        for (int i = 2; i < frame.Count; i++)
        {
            RespWriter.WriteBulkString(inner, frame.Arg(i));
        }

        var innerFrame = new RequestFrame();
        if (RequestParser.TryParse(new ReadOnlySequence<byte>(inner.WrittenMemory), innerFrame, _context.Options.Limits) != ParseStatus.Complete)
        {
            ReplyError("ERR Invalid arguments specified for command");
            return;
        }

        var spec = _context.Policies.Table.Resolve(innerFrame);
        if (spec is null)
        {
            ReplyError("ERR Invalid command specified");
            return;
        }

        if (!spec.HasKeys)
        {
            ReplyError("ERR The command has no key arguments");
            return;
        }

        if (!spec.ArityAllows(innerFrame.Count))
        {
            ReplyError("ERR Invalid number of arguments specified for command");
            return;
        }

        var keys = new int[innerFrame.Count];
        var keySpecs = new KeySpec?[innerFrame.Count];
        int count = KeyExtractor.GetKeyIndexes(spec, innerFrame, keys, keySpecs);
        if (count <= 0)
        {
            // Redis: no key found is an empty answer for commands whose keys are optional (EVAL with numkeys 0).
            if ((spec.Flags & CommandFlags.NoMandatoryKeys) != 0)
            {
                RespWriter.WriteArrayHeader(BeginLocal(), 0);
                EndLocal();
            }
            else
            {
                ReplyError("ERR Invalid arguments specified for command");
            }

            return;
        }

        var w = BeginLocal();
        RespWriter.WriteArrayHeader(w, count);
        for (int i = 0; i < count; i++)
        {
            if (!withFlags)
            {
                RespWriter.WriteBulkString(w, innerFrame.Arg(keys[i]));
                continue;
            }

            RespWriter.WriteArrayHeader(w, 2);
            RespWriter.WriteBulkString(w, innerFrame.Arg(keys[i]));
            var flags = KeyFlags(spec, innerFrame, keySpecs[i], i);
            RespWriter.WriteSetHeader(w, flags.Count, Protocol);
            foreach (string flag in flags)
            {
                RespWriter.WriteSimpleString(w, flag);
            }
        }

        EndLocal();
    }

    private static readonly string[] ReadAccess = ["RO", "access"];
    private static readonly string[] ReadWriteUpdate = ["RW", "access", "update"];
    private static readonly string[] OverwriteUpdate = ["OW", "update"];

    /// <summary>
    /// The flags COMMAND GETKEYSANDFLAGS reports for the <paramref name="position"/>-th key: its key spec's, except
    /// where Redis 7.0 decides them from the arguments (key specs marked variable_flags: SET with or without GET,
    /// BITFIELD with or without a write) or finds the keys by the command's own rules (SORT's STORE key).
    /// </summary>
    private static IReadOnlyList<string> KeyFlags(CommandSpec spec, RequestFrame frame, KeySpec? keySpec, int position)
    {
        if (keySpec is null)
        {
            // Keys found by a command's own rules: SORT's source is read, its STORE destination overwritten.
            return position == 0 ? ReadAccess : OverwriteUpdate;
        }

        if (!keySpec.FlagNames.Contains("variable_flags", StringComparer.OrdinalIgnoreCase))
        {
            return keySpec.FlagNames;
        }

        if (spec.Name == "set")
        {
            for (int i = 3; i < frame.Count; i++)
            {
                if (frame.ArgEquals(i, "GET"u8))
                {
                    return ReadWriteUpdate;
                }
            }

            return OverwriteUpdate;
        }

        // BITFIELD: read-only unless a SET or INCRBY subcommand writes.
        for (int i = 2; i < frame.Count; i++)
        {
            if (frame.ArgEquals(i, "SET"u8) || frame.ArgEquals(i, "INCRBY"u8))
            {
                return ReadWriteUpdate;
            }
        }

        return ReadAccess;
    }
}
