using System.Globalization;

namespace Tessera.Controller.Servers;

/// <summary>
/// What one probe learned from a redis-server (<c>PING</c> and <c>INFO server replication</c>), or why it learned
/// nothing. Everything the failover needs to choose a replica is here: role, link to the master, offset,
/// <c>replica-priority</c> and run id.
/// </summary>
/// <param name="Ok">True when the server answered PONG and INFO within the probe timeout.</param>
/// <param name="Problem">Why it did not (refused, timed out, an error reply).</param>
internal sealed record ProbeResult(bool Ok, string? Problem)
{
    /// <summary>"master" or "replica".</summary>
    public string Role { get; init; } = "master";

    /// <summary>For a replica: the master it follows as "host:port".</summary>
    public string? ReplicaOf { get; init; }

    /// <summary>For a replica: master_link_status is "up".</summary>
    public bool LinkUp { get; init; }

    /// <summary>For a replica: seconds since the link went down; -1 when it never was up since the replica started; null when up.</summary>
    public long? LinkDownSeconds { get; init; }

    /// <summary>For a replica: a full sync is running (its data is not usable yet).</summary>
    public bool SyncInProgress { get; init; }

    /// <summary>master_repl_offset of a master, slave_repl_offset of a replica.</summary>
    public long Offset { get; init; }

    /// <summary>replica-priority (slave_priority); 0 means "never promote". Masters report none.</summary>
    public int? Priority { get; init; }

    /// <summary>The server's run id (changes at every restart).</summary>
    public string? RunId { get; init; }

    public static ProbeResult Failed(string problem) => new(false, problem);

    /// <summary>Reads the "field:value" lines of an INFO reply.</summary>
    public static ProbeResult Parse(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[0] != '#')
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }

        var runId = fields.GetValueOrDefault("run_id");
        if (fields.GetValueOrDefault("role") != "slave")
        {
            return new ProbeResult(true, null) { Role = "master", Offset = Long(fields, "master_repl_offset") ?? 0, RunId = runId };
        }

        var host = fields.GetValueOrDefault("master_host");
        var port = fields.GetValueOrDefault("master_port");
        var linkUp = fields.GetValueOrDefault("master_link_status") == "up";
        return new ProbeResult(true, null)
        {
            Role = "replica",
            ReplicaOf = host is null || port is null ? null : $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}",
            LinkUp = linkUp,
            LinkDownSeconds = linkUp ? null : Long(fields, "master_link_down_since_seconds") ?? -1,
            SyncInProgress = fields.GetValueOrDefault("master_sync_in_progress") == "1",
            Offset = Long(fields, "slave_repl_offset") ?? 0,
            Priority = (int?)Long(fields, "slave_priority") ?? (int?)Long(fields, "replica_priority"),
            RunId = runId,
        };
    }

    private static long? Long(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}
