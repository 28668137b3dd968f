using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace Tessera.Cli.Hosting;

/// <summary>
/// Adds a section after the standard <c>--help</c> of a command (examples, file formats), so the one-line
/// description in command lists stays short while each verb's own help teaches.
/// </summary>
internal static class VerbHelp
{
    private static readonly ConditionalWeakTable<Command, string> Epilogs = new();

    /// <summary>Text printed after the standard help of <paramref name="command"/>.</summary>
    public static TCommand WithEpilog<TCommand>(this TCommand command, string text)
        where TCommand : Command
    {
        Epilogs.AddOrUpdate(command, text);
        return command;
    }

    /// <summary>Wraps the root's help action so epilogs are printed; call once after building the command tree.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction standard } help)
            {
                help.Action = new WithEpilogAction(standard);
            }
        }
    }

    private sealed class WithEpilogAction(HelpAction standard) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var result = standard.Invoke(parseResult);
            if (Epilogs.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(text.TrimEnd());
                output.WriteLine();
            }

            return result;
        }
    }
}
