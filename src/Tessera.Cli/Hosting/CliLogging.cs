using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Tessera.Cli.Hosting;

/// <summary>Console logging for the verbs: one line per event, on stderr so stdout stays the verb's own output.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(LogLevel minimum)
    {
        // The proxy runs on the ASP.NET Core host, whose start-up chatter ("Now listening on: http://...",
        // "Press Ctrl+C") describes a web server and would mislead. Shown only when asking for Debug or more.
        var hostMinimum = minimum < LogLevel.Information ? minimum : (LogLevel)Math.Max((int)minimum, (int)LogLevel.Warning);
        return LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimum)
            .AddFilter("Microsoft.Hosting.Lifetime", hostMinimum)
            .AddFilter("Microsoft.AspNetCore", hostMinimum)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss ";
                options.ColorBehavior = Console.IsErrorRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
            })
            .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
    }
}
