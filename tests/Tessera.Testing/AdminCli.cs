using System.CommandLine;
using Tessera.Cli.Hosting;
using Tessera.Cli.Verbs.Admin;

namespace Tessera.Testing;

/// <summary>
/// Runs the admin verbs in-process, exactly as Program.cs wires them (same command tree, same usage-error
/// path), with stdout and stderr captured. A command line that names a test controller (<c>--controller URL</c>)
/// and no token gets that controller's admin token (<see cref="TestTokens"/>) as <c>--token</c>.
/// </summary>
public static class AdminCli
{
    /// <summary>Runs a verb that must succeed: fails the test with the command line and its output otherwise.</summary>
    public static async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"tessera {string.Join(' ', args)}\n{result}");
        return result;
    }

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var root = new RootCommand("tessera (test)");
        AdminVerbs.AddTo(root);
        VerbHelp.Install(root);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var parse = root.Parse(WithToken(args));
        var code = AdminVerbs.IsUsageError(parse)
            ? AdminVerbs.ReportUsageError(parse, error)
            : await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private static string[] WithToken(string[] args)
    {
        var index = Array.IndexOf(args, "--controller");
        if (index < 0 || index + 1 >= args.Length || args.Contains("--token") || args.Contains("--token-file")
            || TestTokens.ForController(args[index + 1]) is not { } token)
        {
            return args;
        }

        return [.. args, "--token", token];
    }
}
