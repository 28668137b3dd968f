using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Tessera.Cli.Hosting;

/// <summary>Console logging for the verbs: one line per event, on stderr so stdout stays the verb's own output.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(LogLevel minimum) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(minimum)
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
            options.ColorBehavior = Console.IsErrorRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
        })
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
}
