using System.Buffers;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Commands;

/// <summary>
/// Every command of Redis 7.0, generated from a real redis-server's COMMAND INFO and COMMAND DOCS by
/// tools/CommandTableGen into Commands/redis-commands.json (embedded). Lookups ignore case and allocate nothing.
/// </summary>
public sealed class CommandTable
{
    /// <summary>The table embedded in this assembly.</summary>
    public static CommandTable Default => throw new NotImplementedException();

    /// <summary>Top-level commands in name order.</summary>
    public IReadOnlyList<CommandSpec> Commands => throw new NotImplementedException();

    /// <summary>Loads a table from the generator's JSON.</summary>
    public static CommandTable Load(Stream json) => throw new NotImplementedException();

    /// <summary>Finds a top-level command by name, ignoring ASCII case.</summary>
    public CommandSpec? Find(ReadOnlySpan<byte> name) => throw new NotImplementedException();

    /// <summary>Finds a command by name ("get") or subcommand ("object|encoding" or "object encoding").</summary>
    public CommandSpec? Find(string name) => throw new NotImplementedException();

    /// <summary>
    /// The spec that governs <paramref name="frame"/>: the command, or its subcommand when the command is a
    /// container and argument 1 names a known subcommand. Null for unknown commands.
    /// </summary>
    public CommandSpec? Resolve(RequestFrame frame) => throw new NotImplementedException();

    /// <summary>Writes the COMMAND INFO reply entry for <paramref name="spec"/>, as Redis 7.0 would.</summary>
    public static void WriteInfo(IBufferWriter<byte> writer, CommandSpec spec, RespProtocol protocol) => throw new NotImplementedException();

    /// <summary>Writes the COMMAND DOCS reply entry (name, then its docs map), as Redis 7.0 would.</summary>
    public static void WriteDocs(IBufferWriter<byte> writer, CommandSpec spec, RespProtocol protocol) => throw new NotImplementedException();
}
