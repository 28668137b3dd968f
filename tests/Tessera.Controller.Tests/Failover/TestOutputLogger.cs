using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Tessera.Controller.Tests.Failover;

/// <summary>Controller logs into the test's output (with seconds since the test began), so a failed failover test shows what the controllers did.</summary>
internal sealed class TestOutputLogger : ILoggerProvider, ILogger
{
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _clock;
    private readonly string _prefix;

    public TestOutputLogger(ITestOutputHelper output, Stopwatch clock, string prefix)
    {
        _output = output;
        _clock = clock;
        _prefix = prefix;
    }

    public ILoggerFactory Factory() => LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddProvider(this));

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            _output.WriteLine($"{_clock.Elapsed.TotalSeconds,7:0.000} {_prefix} {logLevel.ToString()[..4]} {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has ended; late log lines from background loops have nowhere to go.
        }
    }

    public void Dispose()
    {
    }
}
