using System.Reflection;
using System.Text;
using CommandsDoc;
using Tessera.Resp.Commands;

// CommandsDoc: writes docs/commands.md from the proxy's own command decisions.
//
//   dotnet run --project tools/CommandsDoc                 # (re)writes docs/commands.md of this checkout
//   dotnet run --project tools/CommandsDoc -- --check      # exit 1 when the committed page is out of date
//   dotnet run --project tools/CommandsDoc -- --output path

string? output = null;
bool check = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--output" when i + 1 < args.Length && args[i + 1].Length > 0:
            output = args[++i];
            break;
        case "--check":
            check = true;
            break;
        case "-h" or "--help":
            Console.WriteLine("usage: CommandsDoc [--output docs/commands.md] [--check]");
            Console.WriteLine("  --check   compare instead of writing; exit 1 when the page differs from what the proxy does");
            return 0;
        default:
            Console.Error.WriteLine($"CommandsDoc: unexpected argument '{args[i]}' (or a missing value after it). Use --output <file> and/or --check; --help for usage.");
            return 2;
    }
}

output ??= DefaultOutput();
var table = CommandTable.Default;
string page = CompatibilityPage.Render(CompatibilityPage.BuildRows(new ProxyCommandSupport(), table), table.RedisVersion);

if (check)
{
    string current = File.Exists(output) ? File.ReadAllText(output) : "";
    if (current == page)
    {
        Console.WriteLine($"CommandsDoc: {output} is up to date.");
        return 0;
    }

    Console.Error.WriteLine($"CommandsDoc: {output} does not match the proxy's command decisions; run `{CompatibilityPage.RegenerateCommand}` and commit the page.");
    return 1;
}

string? directory = Path.GetDirectoryName(Path.GetFullPath(output));
if (directory is not null)
{
    Directory.CreateDirectory(directory);
}

// Write beside the target and rename, so an interrupted run never leaves half a page.
string temporary = output + ".tmp";
await File.WriteAllTextAsync(temporary, page, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
File.Move(temporary, output, overwrite: true);
Console.WriteLine($"CommandsDoc: wrote {output}.");
return 0;

// docs/commands.md of the checkout the command runs in (found from the current folder up to Tessera.slnx),
// else of the checkout this tool was built from.
static string DefaultOutput()
{
    for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
    {
        if (File.Exists(Path.Combine(folder.FullName, "Tessera.slnx")))
        {
            return Path.Combine(folder.FullName, "docs", "commands.md");
        }
    }

    string? root = typeof(CompatibilityPage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
    return Path.Combine(root ?? Environment.CurrentDirectory, "docs", "commands.md");
}
