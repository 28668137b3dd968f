using System.Globalization;
using Tessera.Controller.Events;
using Tessera.Resp.Client;
using Tessera.Resp.Servers;

namespace Tessera.Controller.Tests.Failover;

/// <summary>Numbers taken from a write load around one failure, and checks against the surviving data.</summary>
internal static class FailoverMeasurements
{
    /// <summary>
    /// Seconds from <paramref name="failedAt"/> until writes succeed again: when the first write sent after the
    /// failure was acknowledged (held writes released by the switch count as soon as they are answered).
    /// Null when none was.
    /// </summary>
    public static double? RecoverySeconds(IReadOnlyList<WriteAttempt> attempts, double failedAt)
    {
        double? first = null;
        foreach (var attempt in attempts)
        {
            if (attempt.Ok && attempt.SentAt >= failedAt && (first is null || attempt.DoneAt < first))
            {
                first = attempt.DoneAt;
            }
        }

        return first - failedAt;
    }

    /// <summary>Acknowledged keys that <paramref name="endpoint"/> does not hold with their value (MGET in batches).</summary>
    public static async Task<List<string>> MissingAsync(string endpoint, IEnumerable<string> keys)
    {
        var missing = new List<string>();
        await using var client = await RespClient.ConnectAsync(endpoint, TimeSpan.FromSeconds(10));
        foreach (var batch in keys.Chunk(500))
        {
            var reply = await client.CallAsync(["MGET", .. batch]);
            for (var i = 0; i < batch.Length; i++)
            {
                if (reply.Items![i].AsString() != batch[i])
                {
                    missing.Add(batch[i]);
                }
            }
        }

        return missing;
    }

    /// <summary>"role" and "master_port" of a server as INFO replication reports them.</summary>
    public static async Task<(string Role, string? MasterPort)> RoleAsync(string endpoint)
    {
        var fields = await InfoAsync(endpoint);
        return (fields["role"] ?? throw new InvalidDataException($"INFO replication of {endpoint} has no role"), fields["master_port"]);
    }

    private static async Task<ServerInfo> InfoAsync(string endpoint)
    {
        await using var client = await RespClient.ConnectAsync(endpoint, TimeSpan.FromSeconds(5));
        return ServerInfo.Parse((await client.CallAsync("INFO", "replication")).AsString() ?? "");
    }

    /// <summary>
    /// True when <paramref name="replica"/> has its link up and has received the master's stream up to a write made
    /// just now (an equal offset of 0 would prove nothing: right after its first sync a replica can show "up" before
    /// the master streams to it).
    /// </summary>
    public static async Task<bool> InSyncAsync(string master, string replica)
    {
        await using (var client = await RespClient.ConnectAsync(master, TimeSpan.FromSeconds(5)))
        {
            await client.CallAsync("SET", "failover-test:sync-marker", "1");
        }

        var target = (await InfoAsync(master)).Int64("master_repl_offset") ?? throw new InvalidDataException($"INFO replication of {master} has no master_repl_offset");
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var replicaInfo = await InfoAsync(replica);
            if (replicaInfo["master_link_status"] == "up" && replicaInfo.Int64("slave_repl_offset") is { } offset && offset >= target)
            {
                return true;
            }

            await Task.Delay(25);
        }

        return false;
    }

    /// <summary>How many events of <paramref name="kind"/> concern group <paramref name="groupId"/>.</summary>
    public static int Count(IReadOnlyList<ControllerEvent> events, string kind, int groupId) =>
        events.Count(e => e.Kind == kind && e.Group == groupId);

    public static string Seconds(double? value) => value is null ? "never" : value.Value.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
