using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Tessera.Metrics;

/// <summary>
/// How a Tessera process serves its metrics: the OpenTelemetry SDK aggregates the process's meters (its own, and the
/// runtime's: GC, allocations, thread pool, JIT) and its Prometheus exporter answers <c>/metrics</c> in the Prometheus
/// text format, or OpenMetrics when the scraper asks for it. Shared by the proxy's admin API and the controller's API.
/// </summary>
public static class MetricsExposition
{
    /// <summary>
    /// Enough metric points per instrument for every namespace × command a busy proxy sees (the SDK's default, 2000, would
    /// fold the rest into an overflow series); points exist only for combinations that occurred.
    /// </summary>
    public const int MaxPointsPerMetric = 20_000;

    /// <summary>
    /// Buckets of every Tessera duration histogram (unit "s"): 50 µs to 10 s, about ×2 apart — what a Redis command
    /// through a proxy takes, from cache hit to a slow script, and what a probe, a push or a failover takes.
    /// </summary>
    public static readonly double[] LatencyBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>
    /// The runtime's gauges named "….count" (dotnet.assembly.count, dotnet.timer.count …) become "dotnet_…_count" in
    /// Prometheus, which promtool rejects for anything but a histogram's or a summary's count: they are renamed to the
    /// plural ("dotnet.assemblies"); every other runtime name is kept.
    /// </summary>
    internal static string? RuntimeName(string name) => name switch
    {
        "dotnet.assembly.count" => "dotnet.assemblies",
        "dotnet.process.cpu.count" => "dotnet.process.cpus",
        "dotnet.thread_pool.thread.count" => "dotnet.thread_pool.threads",
        "dotnet.thread_pool.work_item.count" => "dotnet.thread_pool.work_items",
        "dotnet.timer.count" => "dotnet.timers",
        _ when name.StartsWith("dotnet.", StringComparison.Ordinal) && name.EndsWith(".count", StringComparison.Ordinal) => name[..^".count".Length] + ".number",
        _ => null,
    };

    /// <summary>Registers the SDK with the meters <paramref name="meters"/> (and the runtime's) and the Prometheus exporter.</summary>
    public static void AddTo(IServiceCollection services, params string[] meters)
    {
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(meters)
                .AddRuntimeInstrumentation()
                .AddView(static instrument => instrument.Meter.Name.StartsWith("Tessera.", StringComparison.Ordinal)
                    ? instrument.Unit == "s"
                        ? new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets, CardinalityLimit = MaxPointsPerMetric }
                        : new MetricStreamConfiguration { CardinalityLimit = MaxPointsPerMetric }
                    : RuntimeName(instrument.Name) is { } renamed ? new MetricStreamConfiguration { Name = renamed } : null)
                .AddPrometheusExporter(exporter =>
                {
                    // Every scrape sees the values of that moment (the default caches an answer for 300 ms).
                    exporter.ScrapeResponseCacheDurationMilliseconds = 0;

                    // No otel_scope_name label on every series: the meter's name says nothing a job label does not.
                    exporter.ScopeInfoEnabled = false;
                });
        });
    }
}
