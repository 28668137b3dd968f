using Tessera.Resp.Client;
using Tessera.Resp.Commands;
using Tessera.Resp.Servers;
using Tessera.Resp.Values;

// CommandTableGen: asks a running redis-server for COMMAND INFO and COMMAND DOCS and writes the command table
// (src/Tessera.Resp/Commands/redis-commands.json). Usually started by generate.sh, which runs a throwaway server.
//
//   dotnet run --project tools/CommandTableGen -- --port 6379 [--host 127.0.0.1] [--output path]

string host = "127.0.0.1";
int port = 0;
string output = Path.Combine("src", "Tessera.Resp", "Commands", "redis-commands.json");

for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : "";
    switch (args[i])
    {
        case "--host": host = value; i++; break;
        case "--port" when int.TryParse(value, out port) && port is > 0 and < 65536: i++; break;
        case "--output": output = value; i++; break;
        case "-h" or "--help":
            Console.WriteLine("usage: CommandTableGen --port <port> [--host 127.0.0.1] [--output src/Tessera.Resp/Commands/redis-commands.json]");
            return 0;
        default:
            Console.Error.WriteLine($"CommandTableGen: unexpected argument '{args[i]}' (or a bad value after it). Use --port <1-65535>, --host <host>, --output <file>; --help for usage.");
            return 2;
    }
}

if (port == 0 || string.IsNullOrEmpty(host) || string.IsNullOrEmpty(output))
{
    Console.Error.WriteLine("CommandTableGen: --port is required (the redis-server to read the command metadata from); --host and --output need a value.");
    return 2;
}

try
{
    await using var client = await RespClient.ConnectAsync(host, port, TimeSpan.FromSeconds(10));
    string version = ReadRedisVersion(await client.CallAsync("INFO", "server"));
    if (!version.StartsWith("7.", StringComparison.Ordinal))
    {
        // Key specs and COMMAND DOCS exist since 7.0; the proxy targets 7.0's metadata.
        Console.Error.WriteLine($"CommandTableGen: warning: the server is Redis {version}; the table is meant to come from Redis 7.0.");
    }

    var info = Check(await client.CallAsync("COMMAND", "INFO"), "COMMAND INFO");
    var docs = Check(await client.CallAsync("COMMAND", "DOCS"), "COMMAND DOCS");
    var table = CommandTable.FromServerReplies(info, docs, version);

    string? directory = Path.GetDirectoryName(Path.GetFullPath(output));
    if (directory is not null)
    {
        Directory.CreateDirectory(directory);
    }

    // Write to a temporary file first so a failure never leaves a half-written table behind.
    string temporary = output + ".tmp";
    await using (var stream = File.Create(temporary))
    {
        table.WriteJson(stream);
    }

    File.Move(temporary, output, overwrite: true);
    int subcommands = 0;
    foreach (var command in table.Commands)
    {
        subcommands += command.Subcommands.Count;
    }

    Console.WriteLine($"CommandTableGen: wrote {table.Commands.Count} commands and {subcommands} subcommands from Redis {version} to {output}");
    return 0;
}
catch (Exception ex) when (ex is IOException or TimeoutException or InvalidDataException or NotSupportedException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"CommandTableGen: {ex.Message}");
    return 1;
}

static RespValue Check(RespValue reply, string command) => reply.IsError
    ? throw new InvalidDataException($"{command} failed: {reply.AsString()}. The server must be Redis 7.0 or newer and allow COMMAND.")
    : reply;

static string ReadRedisVersion(RespValue reply)
{
    string text = Check(reply, "INFO server").AsString() ?? "";
    return ServerInfo.Parse(text)["redis_version"]?.Trim()
        ?? throw new InvalidDataException("INFO server has no redis_version line; is this a Redis server?");
}
