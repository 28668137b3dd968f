using System.CommandLine;
using System.CommandLine.Parsing;
using Tessera.Controller;

namespace Tessera.Cli.Verbs.Admin;

/// <summary>Options every admin verb shares: where the controller is, which token to send, and JSON output.</summary>
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

    /// <summary>Environment variable holding the API token when --token is not given.</summary>
    public const string TokenVariable = "TESSERA_TOKEN";

    /// <summary>Where <c>tessera up</c> run from this directory without --dir keeps its admin token.</summary>
    public const string UpTokenFile = ".tessera/admin.token";

    /// <summary>How the CLI finds its token, for --help and for errors.</summary>
    public static readonly string TokenOrder =
        $"--token, then ${TokenVariable}, then the file given by --token-file (default {ControllerOptions.DefaultAdminTokenFile()}, where a controller's first start writes an admin token), then ./{UpTokenFile} (what `tessera up` run from this directory writes)";

    /// <summary><c>--token TOKEN</c>, recursive like <see cref="Controller"/>; one instance per top-level verb.</summary>
    public static Option<string?> Token() => new(TokenName)
    {
        Description = $"API token sent as 'Authorization: Bearer'. Looked for in this order: {TokenOrder}.",
        HelpName = "token",
        Recursive = true,
    };

    /// <summary><c>--token-file PATH</c>: read the token from a file (its first line).</summary>
    public static Option<string?> TokenFile() => new(TokenFileName)
    {
        Description = $"File holding the API token (first line), used when neither --token nor ${TokenVariable} is given (default {ControllerOptions.DefaultAdminTokenFile()}).",
        HelpName = "path",
        Recursive = true,
    };

    /// <summary><c>--ca-cert FILE</c>: a CA to trust for an https controller, recursive like <see cref="Controller"/>.</summary>
    public static Option<string?> CaCert() => new(CaCertName)
    {
        Description = $"PEM CA certificate to trust, besides the system's, when --controller is an https URL signed by a private CA (default: ${Tessera.Model.Security.TlsTrust.CaVariable}).",
        HelpName = "file",
        Recursive = true,
    };

    /// <summary>The name of <see cref="CaCert"/>.</summary>
    public const string CaCertName = "--ca-cert";

    /// <summary>The name of <see cref="Token"/>, which the verbs' runner reads it by.</summary>
    public const string TokenName = "--token";

    /// <summary>The name of <see cref="TokenFile"/>.</summary>
    public const string TokenFileName = "--token-file";

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
            // "127.0.0.1:18080" is what people type; it means http (give https:// for a controller with --tls-cert).
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
