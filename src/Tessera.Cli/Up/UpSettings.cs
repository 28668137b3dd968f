using System.Globalization;
using Microsoft.Extensions.Logging;
using Tessera.Cli.Verbs.Admin;

namespace Tessera.Cli.Up;

/// <summary>What <c>tessera up</c> was asked for, with the derived addresses (store URL, controller URL, admin hint).</summary>
internal sealed record UpSettings
{
    /// <summary>Groups (shards), each 1 master + <see cref="Replicas"/> replicas.</summary>
    public required int Groups { get; init; }

    public required int Replicas { get; init; }

    /// <summary>Client port of the proxy on 127.0.0.1.</summary>
    public required int Port { get; init; }

    /// <summary>Port of the controller's HTTP API on 127.0.0.1.</summary>
    public required int ControllerPort { get; init; }

    /// <summary>Port of the proxy's admin HTTP API on 127.0.0.1.</summary>
    public required int AdminPort { get; init; }

    /// <summary>First redis-server port, or 0 for free ports.</summary>
    public int BasePort { get; init; }

    /// <summary>Absolute directory for servers, the default store and the lock.</summary>
    public required string Directory { get; init; }

    /// <summary>The store given with --store, or null for the default file store under <see cref="Directory"/>.</summary>
    public string? Store { get; init; }

    /// <summary>--reset: with an explicit store, replace a namespace 'default' that already has groups.</summary>
    public bool Reset { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>True when the store is this directory's own file store, which lives and dies with each run.</summary>
    public bool UsesDefaultStore => Store is null;

    /// <summary>The store URL the controller and the proxy share.</summary>
    public string StoreUrl => Store ?? DefaultStoreUrl(Directory);

    /// <summary>Directory of the default file store.</summary>
    public string DefaultStoreDirectory => Path.Combine(Directory, "store");

    /// <summary>Base URL of the controller this run starts.</summary>
    public Uri ControllerUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ControllerPort}"));

    /// <summary>
    /// " --controller URL" when an admin verb without flags would not reach this controller (another port, or
    /// TESSERA_CONTROLLER pointing elsewhere), otherwise "".
    /// </summary>
    public string ControllerFlag
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(AdminOptions.ControllerVariable);
            var adminDefault = new Uri(fromEnvironment is { Length: > 0 } ? fromEnvironment : AdminOptions.DefaultController);
            return Uri.Compare(adminDefault, ControllerUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
                ? ""
                : " --controller " + ControllerUrl.ToString().TrimEnd('/');
        }
    }

    /// <summary>Where the controller writes the admin token when the store has none: <c>&lt;dir&gt;/admin.token</c>.</summary>
    public string AdminTokenFile => Path.Combine(Directory, "admin.token");

    /// <summary>
    /// " --token-file PATH" when an admin verb without flags, run from the current directory, would not find this
    /// run's admin token (another --dir, TESSERA_TOKEN set, or a token in the default file first), otherwise "".
    /// </summary>
    public string TokenFlag =>
        !File.Exists(AdminTokenFile)
        || (Environment.GetEnvironmentVariable(AdminOptions.TokenVariable) is not { Length: > 0 }
            && !File.Exists(Controller.ControllerOptions.DefaultAdminTokenFile())
            && string.Equals(Path.GetFullPath(AdminOptions.UpTokenFile), AdminTokenFile, StringComparison.Ordinal))
            ? ""
            : " --token-file " + AdminTokenFile;

    /// <summary><c>file:///abs/dir/store</c>.</summary>
    public static string DefaultStoreUrl(string directory) => new Uri(Path.Combine(directory, "store")).AbsoluteUri;
}
