using System.CommandLine;
using Tessera.Cli.Hosting;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>
/// The admin verbs that call a controller's API (<c>status</c>, <c>namespace</c>, <c>group</c>, <c>slots</c>,
/// <c>proxies</c>, <c>events</c>, <c>token</c>, <c>audit</c>), each with <c>--controller</c>, <c>--token</c> and
/// <c>--token-file</c>, and their usage-error answer: one line on stderr and exit code 2.
/// </summary>
internal static class AdminVerbs
{
    /// <summary>Names of the top-level admin verbs.</summary>
    private static readonly HashSet<string> Names = ["status", "namespace", "group", "slots", "proxies", "events", "token", "audit", "alert", "health", "top"];

    /// <summary>Adds every admin verb to <paramref name="root"/>.</summary>
    public static void AddTo(Command root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Command[] verbs = [StatusVerb.Create(), NamespaceVerb.Create(), GroupVerb.Create(), SlotsVerb.Create(), ProxiesVerb.Create(), EventsVerb.Create(), TokenVerb.Create(), AuditVerb.Create(), AlertVerb.Create(), HealthVerb.Create(), TopListVerb.Create()];
        foreach (var verb in verbs)
        {
            // Every admin verb sends a token; the options are recursive, so they work after any sub-verb too.
            verb.Add(AdminOptions.Token());
            verb.Add(AdminOptions.TokenFile());
            verb.Add(AdminOptions.CaCert());
            root.Add(verb);
        }
    }

    /// <summary>True when <paramref name="parse"/> failed inside an admin verb (its errors are ours to report).</summary>
    public static bool IsUsageError(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        // --help (and the like) clears parse errors: `tessera group add --help` shows help, not "argument missing".
        return parse.Errors.Count > 0
            && parse.Action is not { ClearsParseErrors: true }
            && TopVerb(parse) is { } top && Names.Contains(top.Name);
    }

    /// <summary>Prints the first parse error as one line pointing at the verb's help (on stderr unless <paramref name="error"/>); returns exit code 2.</summary>
    public static int ReportUsageError(ParseResult parse, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            path.Insert(0, result.Command is RootCommand ? "tessera" : result.Command.Name);
        }

        var message = parse.Errors[0].Message.TrimEnd('.');
        (error ?? Console.Error).WriteLine($"error: {message} (see `{string.Join(' ', path)} --help`)");
        return ExitCodes.Usage;
    }

    private static Command? TopVerb(ParseResult parse)
    {
        Command? top = null;
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (result.Command is not RootCommand)
            {
                top = result.Command;
            }
        }

        return top;
    }
}
