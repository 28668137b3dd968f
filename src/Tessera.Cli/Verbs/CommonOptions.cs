using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Tessera.Cli.Verbs;

/// <summary>Options and parsers shared by several verbs.</summary>
internal static class CommonOptions
{
    /// <summary>--log-level with the given default.</summary>
    public static Option<LogLevel> LogLevel(LogLevel defaultLevel) => new("--log-level")
    {
        Description = "Least severe log events shown on stderr: Trace, Debug, Information, Warning, Error, Critical or None.",
        HelpName = "level",
        DefaultValueFactory = _ => defaultLevel,
    };

    /// <summary>
    /// Parses "host:port" ("127.0.0.1:19000", "[::1]:19000", "0.0.0.0:19000") or a bare port (meaning 127.0.0.1);
    /// adds a parse error and returns null otherwise.
    /// </summary>
    public static IPEndPoint? ParseListen(ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bare) && bare is > 0 and <= IPEndPoint.MaxPort)
        {
            return new IPEndPoint(IPAddress.Loopback, bare);
        }

        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            text = "127.0.0.1" + text["localhost".Length..];
        }

        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0 && text.Contains(':', StringComparison.Ordinal))
        {
            return endpoint;
        }

        result.AddError($"'{text}' is not an address to listen on: use ip:port such as 127.0.0.1:19000, 0.0.0.0:19000 or [::1]:19000.");
        return null;
    }

    /// <summary>Adds a validator that keeps an int option within [min, max].</summary>
    public static Option<int> InRange(this Option<int> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be between {min} and {max}; got {value}."));
            }
        });
        return option;
    }
}
