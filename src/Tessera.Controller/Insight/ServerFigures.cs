using System.Globalization;
using Tessera.Controller.Servers;
using Tessera.Resp.Servers;

namespace Tessera.Controller.Insight;

/// <summary>
/// What one insight round read from one server: one <c>INFO</c> (memory, stats, replication, keyspace), the newest
/// slow log entry's id (so the next round knows how many entries were added) and the round trip of a PING.
/// </summary>
internal sealed record ServerFigures
{
    public required string Namespace { get; init; }

    public required int Group { get; init; }

    public required string Address { get; init; }

    /// <summary>"master" or "replica", as the store has it.</summary>
    public required string Role { get; init; }

    /// <summary>Null when it answered; else why not.</summary>
    public string? Problem { get; init; }

    public bool Up => Problem is null;

    /// <summary>What INFO replication said (role observed, master link).</summary>
    public ServerObservation? Observation { get; init; }

    public long UsedMemory { get; init; }

    /// <summary>maxmemory; 0 when the server has none.</summary>
    public long MaxMemory { get; init; }

    public long EvictedKeys { get; init; }

    public long KeyspaceHits { get; init; }

    public long KeyspaceMisses { get; init; }

    /// <summary>Keys of every db (INFO keyspace).</summary>
    public long Keys { get; init; }

    /// <summary>The id of the newest slow log entry, or -1 when the log is empty.</summary>
    public long SlowlogLastId { get; init; } = -1;

    public double PingMilliseconds { get; init; }

    /// <summary>Reads the fields of a whole INFO reply.</summary>
    public static ServerFigures FromInfo(string ns, int group, string address, string role, string info, long slowlogLastId, double pingMilliseconds)
    {
        var fields = ServerInfo.Parse(info);
        long keys = 0;
        foreach (var (name, value) in fields.Fields)
        {
            // db0:keys=12,expires=0,avg_ttl=0
            if (name.StartsWith("db", StringComparison.Ordinal) && value.StartsWith("keys=", StringComparison.Ordinal))
            {
                var end = value.IndexOf(',', StringComparison.Ordinal);
                keys += long.Parse(end < 0 ? value.AsSpan(5) : value.AsSpan(5, end - 5), CultureInfo.InvariantCulture);
            }
        }

        return new ServerFigures
        {
            Namespace = ns,
            Group = group,
            Address = address,
            Role = role,
            Observation = ServerObservation.Parse(info),
            UsedMemory = fields.Int64("used_memory") ?? 0,
            MaxMemory = fields.Int64("maxmemory") ?? 0,
            EvictedKeys = fields.Int64("evicted_keys") ?? 0,
            KeyspaceHits = fields.Int64("keyspace_hits") ?? 0,
            KeyspaceMisses = fields.Int64("keyspace_misses") ?? 0,
            Keys = keys,
            SlowlogLastId = slowlogLastId,
            PingMilliseconds = pingMilliseconds,
        };
    }

    public static ServerFigures Down(string ns, int group, string address, string role, string problem) =>
        new() { Namespace = ns, Group = group, Address = address, Role = role, Problem = problem };
}
