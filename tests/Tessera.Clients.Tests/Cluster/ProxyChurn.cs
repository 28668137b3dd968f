using System.Globalization;
using System.Text.Json;
using Tessera.Resp.Client;
using Xunit.Abstractions;

namespace Tessera.Clients.Tests.Cluster;

/// <summary>
/// What every cluster client test does around its client: waits until the client's loop runs, stops one proxy (the
/// second seed) and starts another while it runs, then checks what the client reported and where its keys went.
/// </summary>
internal static class ProxyChurn
{
    /// <summary>How long the clients' churn loops run: past the leave, the join and a few seconds on the new table.</summary>
    public const double LoopSeconds = 9;

    /// <summary>Most failed operations a client may report over a leave and a join (transient ones while it notices).</summary>
    public const int MaxErrors = 25;

    /// <summary>
    /// Runs <paramref name="client"/> (started with the live proxies' ports and <paramref name="prefix"/>) while one
    /// proxy leaves and another joins; answers what happened for the client's own checks.
    /// </summary>
    public static async Task<Observed> AroundAsync(FaceCluster face, string prefix, Func<IReadOnlyList<int>, Task> client, ITestOutputHelper output)
    {
        var ports = face.Ports.ToArray();
        var running = client(ports);
        await WaitForKeyAsync(face, $"{prefix}:churn:started", running);

        int leaver = ports[1];
        await face.StopProxyAsync(leaver);
        await face.WaitForAgreementAsync();
        output.WriteLine($"proxy {leaver} left; the others list {string.Join(", ", face.Ports)}");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var joiner = await face.StartProxyAsync();
        await face.WaitForAgreementAsync();
        long joinerAtJoin = await CommandsProcessedAsync(joiner.Endpoint.Port);
        output.WriteLine($"proxy {joiner.Endpoint.Port} joined; every proxy lists {string.Join(", ", face.Ports)}");

        await running.WaitAsync(TimeSpan.FromSeconds(90));
        // Commands the client sent to the newcomer (less the INFO calls this count makes).
        long joinerServed = await CommandsProcessedAsync(joiner.Endpoint.Port) - joinerAtJoin - 1;
        output.WriteLine($"the client sent {joinerServed} command(s) to the proxy that joined");

        await AssertSpreadAsync(face, prefix, output);
        return new Observed(leaver, joiner.Endpoint.Port, joinerServed);
    }

    /// <summary>The spread area's 300 keys (<paramref name="prefix"/>:spread:*) are all on the backends, some in every group.</summary>
    public static async Task AssertSpreadAsync(FaceCluster face, string prefix, ITestOutputHelper output)
    {
        var groups = await face.KeysPerGroupAsync($"{prefix}:spread:*");
        output.WriteLine("keys per group: " + string.Join(", ", groups.Select(g => $"group {g.Key}: {g.Value}")));
        Assert.True(groups.Count >= 2 && groups.Values.All(static n => n > 0), $"every group should hold some of the 300 keys: {string.Join(", ", groups)}");
        Assert.Equal(300, groups.Values.Sum());
    }

    /// <summary>The churn area's report: its error count bounded, and enough successful operations.</summary>
    public static void AssertChurn(JsonElement churn, ITestOutputHelper output)
    {
        int ok = churn.GetProperty("ok").GetInt32();
        var errors = churn.GetProperty("errors").EnumerateArray().Select(static e => $"{e.GetProperty("at")}s {e.GetProperty("error").GetString()}").ToArray();
        output.WriteLine($"churn: {ok} SET+GET pairs succeeded, {errors.Length} failed; the client's table at the end: {churn.GetProperty("nodes")}");
        foreach (string error in errors)
        {
            output.WriteLine("  " + error);
        }

        Assert.True(errors.Length <= MaxErrors, $"{errors.Length} operations failed while a proxy left and another joined:\n{string.Join('\n', errors)}");
        Assert.True(ok >= 100, $"only {ok} operations succeeded in {LoopSeconds} s");
    }

    private static async Task WaitForKeyAsync(FaceCluster face, string key, Task client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (true)
        {
            if (client.IsCompleted)
            {
                await client;
                throw new Xunit.Sdk.XunitException($"the client ended before it wrote {key}");
            }

            foreach (var group in face.Cluster.Groups)
            {
                await using var direct = await group.Master.ConnectAsync(TimeSpan.FromSeconds(5));
                if ((await direct.CallAsync("EXISTS", key)).Integer == 1)
                {
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"the client did not start its loop (write {key}) within 45 s");
            }

            await Task.Delay(50);
        }
    }

    internal static async Task<long> CommandsProcessedAsync(int port)
    {
        await using var client = await RespClient.ConnectAsync("127.0.0.1", port, TimeSpan.FromSeconds(5));
        string info = (await client.CallAsync("INFO", "stats")).AsString() ?? "";
        string line = info.Split("\r\n").Single(static l => l.StartsWith("total_commands_processed:", StringComparison.Ordinal));
        return long.Parse(line[(line.IndexOf(':') + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>The proxy that left, the one that joined, and how many commands the client sent to the newcomer.</summary>
    public sealed record Observed(int Leaver, int Joiner, long JoinerServed);
}
