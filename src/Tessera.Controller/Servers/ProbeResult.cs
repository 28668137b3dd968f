using Tessera.Resp.Servers;

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

    /// <summary>
    /// It answered -BUSY: alive, but running a script (or function) past busy-reply-threshold, so it answers nothing
    /// else. Not a failure: a failover would not stop the script, and the script ends or is killed. The other fields
    /// are those of its last answer before (the health watch keeps them).
    /// </summary>
    public bool Busy { get; init; }

    /// <summary>What status and health say of a <see cref="Busy"/> server.</summary>
    public const string BusyProblem = "busy running a script (SCRIPT KILL or FUNCTION KILL through the proxy stops it)";

    public static ProbeResult Failed(string problem) => new(false, problem);

    /// <summary>True for a -BUSY reply: Redis's answer to anything but SCRIPT KILL, FUNCTION KILL or SHUTDOWN NOSAVE while a script runs.</summary>
    public static bool IsBusyReply(Tessera.Resp.Values.RespValue reply) => reply.IsError && reply.AsString() is { } text && text.StartsWith("BUSY ", StringComparison.Ordinal);

    /// <summary>A server that answered -BUSY: it answers, so it is up (<see cref="Busy"/>).</summary>
    public static ProbeResult BusyAnswer() => new(true, BusyProblem) { Busy = true };

    /// <summary>Reads the fields of an INFO reply (sections server and replication).</summary>
    public static ProbeResult Parse(string info)
    {
        var fields = ServerInfo.Parse(info);
        var runId = fields["run_id"];
        if (fields["role"] != "slave")
        {
            return new ProbeResult(true, null) { Role = "master", Offset = fields.Int64("master_repl_offset") ?? 0, RunId = runId };
        }

        var linkUp = fields["master_link_status"] == "up";
        return new ProbeResult(true, null)
        {
            Role = "replica",
            ReplicaOf = fields.MasterAddress?.ToString(),
            LinkUp = linkUp,
            LinkDownSeconds = linkUp ? null : fields.Int64("master_link_down_since_seconds") ?? -1,
            SyncInProgress = fields["master_sync_in_progress"] == "1",
            Offset = fields.Int64("slave_repl_offset") ?? 0,
            Priority = (int?)fields.Int64("slave_priority") ?? (int?)fields.Int64("replica_priority"),
            RunId = runId,
        };
    }
}
