using System.CommandLine;
using System.CommandLine.Parsing;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>Options every admin verb shares: where the controller is, and JSON output.</summary>
internal static class AdminOptions
{
    /// <summary>Environment variable that overrides the default controller URL.</summary>
    public const string ControllerVariable = "TESSERA_CONTROLLER";

    /// <summary>The controller URL when neither --controller nor TESSERA_CONTROLLER says otherwise.</summary>
    public const string DefaultController = "http://127.0.0.1:18080";

    /// <summary>
    /// <c>--controller URL</c>, recursive so it works after any sub-verb (<c>tessera group add … --controller …</c>).
    /// One instance per top-level verb: an option belongs to one parent.
    /// </summary>
    public static Option<Uri> Controller() => new("--controller")
    {
        Description = $"Base URL of a Tessera controller's API (default: ${ControllerVariable} or {DefaultController}; any controller of the cluster will do: changes sent to a standby go on to the leader it names).",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable(ControllerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultController),
        CustomParser = ParseController,
    };

    /// <summary><c>--json</c>: print the API's JSON answer instead of a table.</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the controller's JSON answer (indented) instead of readable text, for scripts and jq.",
    };

    private static Uri? ParseController(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            // "127.0.0.1:18080" is what people type; it means http.
            text = "http://" + text;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.Host.Length > 0)
        {
            return url;
        }

        result.AddError($"'{result.Tokens[0].Value}' is not a controller URL: use http://host:port, e.g. {DefaultController}");
        return null;
    }
}
