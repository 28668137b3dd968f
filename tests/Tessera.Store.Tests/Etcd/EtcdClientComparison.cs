using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Tessera.Store.Tests.Etcd;

/// <summary>Runs only with TESSERA_ETCD_BENCH=1: a measurement, not a check, so it is skipped in ordinary runs.</summary>
public sealed class EtcdBenchFactAttribute : FactAttribute
{
    public EtcdBenchFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("TESSERA_ETCD_BENCH") != "1")
        {
            Skip = "a timing comparison of the two etcd clients; run with TESSERA_ETCD_BENCH=1";
        }
    }
}

/// <summary>
/// The timing half of the dotnet-etcd evaluation (the figures are quoted at the top of EtcdStore.cs). Against one local etcd
/// member, each client in turn, twice (JSON, gRPC, JSON, gRPC) after a warm-up: 2000 sequential put+get pairs, and the
/// latency of 500 watch events (a put, then wait for its event, one at a time). Bounded: 4 × (4000 requests + 500 events); TESSERA_ETCD_BENCH_PAIRS and _EVENTS change the counts.
/// <c>TESSERA_ETCD_BENCH=1 dotnet test tests/Tessera.Store.Tests -c Release --filter FullyQualifiedName~EtcdClientComparison --logger "console;verbosity=detailed"</c>
/// </summary>
public sealed class EtcdClientComparison(SingleEtcdFixture etcd, ITestOutputHelper output) : IClassFixture<SingleEtcdFixture>
{
    private static readonly int Pairs = Count("TESSERA_ETCD_BENCH_PAIRS", 2000);
    private static readonly int Events = Count("TESSERA_ETCD_BENCH_EVENTS", 500);

    private static int Count(string variable, int otherwise) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : otherwise;

    [EtcdBenchFact]
    public async Task Put_get_and_watch_latency_of_both_clients()
    {
        foreach (EtcdClientKind kind in new[] { EtcdClientKind.JsonGateway, EtcdClientKind.Grpc, EtcdClientKind.JsonGateway, EtcdClientKind.Grpc })
        {
            await using ICoordinatorStore store = EtcdClients.Open(kind, etcd.Cluster.Url);
            string p = $"/bench/{Guid.NewGuid():N}/";
            for (int i = 0; i < 100; i++)
            {
                await store.PutAsync(p + "warm", "1");
                await store.GetAsync(p + "warm");
            }

            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Pairs; i++)
            {
                string key = p + "k" + (i % 50).ToString(CultureInfo.InvariantCulture);
                await store.PutAsync(key, "{\"n\":" + i.ToString(CultureInfo.InvariantCulture) + "}");
                Assert.NotNull(await store.GetAsync(key));
            }

            double pairsMs = clock.Elapsed.TotalMilliseconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind,-11} {Pairs} put+get: {pairsMs:0} ms ({pairsMs / Pairs * 1000:0} µs/pair)"));
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await using IAsyncEnumerator<StoreEvent> watch = store.WatchAsync(p + "w/", (await store.ListAsync(p + "w/")).Revision + 1, stop.Token).GetAsyncEnumerator(stop.Token);
            var latencies = new double[Events];
            Task<bool> pending = watch.MoveNextAsync().AsTask();
            for (int i = 0; i < Events; i++)
            {
                long started = Stopwatch.GetTimestamp();
                long revision = await store.PutAsync(p + "w/k", i.ToString(CultureInfo.InvariantCulture));
                Assert.True(await pending);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Assert.Equal(revision, watch.Current.Revision);
                pending = watch.MoveNextAsync().AsTask();
            }

            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
            Array.Sort(latencies);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind,-11} watch put→event over {Events}: median {latencies[Events / 2]:0.00} ms, p99 {latencies[(int)(Events * 0.99)]:0.00} ms"));
        }
    }
}
