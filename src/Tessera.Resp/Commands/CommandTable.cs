using System.Text.Encodings.Web;
using System.Text.Json;
using Tessera.Resp.Protocol;
using Tessera.Resp.Values;

namespace Tessera.Resp.Commands;

/// <summary>
/// Every command of Redis 7.0, generated from a real redis-server's COMMAND INFO and COMMAND DOCS by
/// tools/CommandTableGen into Commands/redis-commands.json (embedded). Lookups ignore case and allocate nothing.
/// Immutable after construction; safe to share between threads.
/// </summary>
public sealed partial class CommandTable
{
    private const string ResourceName = "Tessera.Resp.Commands.redis-commands.json";

    // Lazy with ExecutionAndPublication: the embedded file is parsed once, by whichever thread asks first.
    private static readonly Lazy<CommandTable> DefaultTable = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly CommandTableDocument _document;
    private readonly CommandSpec[] _commands;
    private readonly NameLookup _lookup = new();

    private CommandTable(CommandTableDocument document)
    {
        _document = document;
        _commands = new CommandSpec[document.Commands.Count];
        for (int i = 0; i < _commands.Length; i++)
        {
            _commands[i] = CommandSpecFactory.Create(document.Commands[i]);
        }

        Array.Sort(_commands, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var command in _commands)
        {
            _lookup.Add(command.Name, command);
        }
    }

    /// <summary>The table embedded in this assembly.</summary>
    public static CommandTable Default => DefaultTable.Value;

    /// <summary>redis_version of the server the table was generated from (e.g. "7.0.15").</summary>
    public string RedisVersion => _document.RedisVersion;

    /// <summary>Top-level commands in name order.</summary>
    public IReadOnlyList<CommandSpec> Commands => _commands;

    /// <summary>Loads a table from the generator's JSON.</summary>
    public static CommandTable Load(Stream json)
    {
        ArgumentNullException.ThrowIfNull(json);
        CommandTableDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, CommandTableJsonContext.Default.CommandTableDocument);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"The command table JSON is malformed ({ex.Message}). Regenerate it with tools/CommandTableGen/generate.sh.", ex);
        }

        return new CommandTable(document ?? throw new InvalidDataException("The command table JSON is empty (null)."));
    }

    /// <summary>
    /// Builds a table from a live server's replies to <c>COMMAND INFO</c> (no arguments: every command) and
    /// <c>COMMAND DOCS</c>, in RESP2 or RESP3. Throws <see cref="NotSupportedException"/> for metadata fields
    /// the table does not know yet, so nothing is silently dropped.
    /// </summary>
    public static CommandTable FromServerReplies(RespValue commandInfo, RespValue commandDocs, string redisVersion)
    {
        ArgumentNullException.ThrowIfNull(commandInfo);
        ArgumentNullException.ThrowIfNull(commandDocs);
        ArgumentException.ThrowIfNullOrEmpty(redisVersion);
        return new CommandTable(CommandReplyReader.Read(commandInfo, commandDocs, redisVersion));
    }

    /// <summary>
    /// Writes the table as the generator's JSON: indented, commands and subcommands sorted by name, everything
    /// else in the server's order, so regenerating from the same Redis version gives the same bytes.
    /// </summary>
    public void WriteJson(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var options = new JsonWriterOptions
        {
            Indented = true,
            IndentSize = 2,
            NewLine = "\n",
            // Summaries are full of quotes, backticks and '<'; keep them readable in the committed file.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var writer = new Utf8JsonWriter(destination, options))
        {
            JsonSerializer.Serialize(writer, _document, CommandTableJsonContext.Default.CommandTableDocument);
        }

        destination.WriteByte((byte)'\n');
    }

    /// <summary>Finds a top-level command by name, ignoring ASCII case.</summary>
    public CommandSpec? Find(ReadOnlySpan<byte> name) => _lookup.Find(name);

    /// <summary>Finds a command by name ("get") or subcommand ("object|encoding" or "object encoding").</summary>
    public CommandSpec? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int split = name.AsSpan().IndexOfAny('|', ' ');
        if (split < 0)
        {
            return _lookup.Find(name);
        }

        var container = _lookup.Find(name.AsSpan(0, split));
        string sub = name[(split + 1)..];
        return container?.FindSubcommand(sub);
    }

    /// <summary>
    /// The spec that governs <paramref name="frame"/>: the command, or its subcommand when the command is a
    /// container and argument 1 names a known subcommand. Null for unknown commands.
    /// </summary>
    public CommandSpec? Resolve(RequestFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Count == 0)
        {
            return null;
        }

        var command = _lookup.Find(frame.ArgSpan(0));
        if (command is null || !command.HasSubcommands || frame.Count < 2)
        {
            return command;
        }

        // An unknown subcommand falls back to the container: Redis answers it with its own error.
        return command.FindSubcommand(frame.ArgSpan(1)) ?? command;
    }

    private static CommandTable LoadEmbedded()
    {
        using var stream = typeof(CommandTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"The embedded resource {ResourceName} is missing from Tessera.Resp; check the EmbeddedResource item in Tessera.Resp.csproj.");
        return Load(stream);
    }
}
