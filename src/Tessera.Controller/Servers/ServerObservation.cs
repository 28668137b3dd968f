using Tessera.Resp.Servers;

namespace Tessera.Controller.Servers;

/// <summary>What a redis-server said about itself in <c>INFO replication</c>, or why it said nothing.</summary>
/// <param name="Role">"master", "replica", "busy" (it answers -BUSY: a script runs) or "down".</param>
/// <param name="Master">For a replica, the master it follows.</param>
/// <param name="MasterLink">For a replica, "up" or "down".</param>
/// <param name="Offset">master_repl_offset of a master, slave_repl_offset of a replica.</param>
/// <param name="Problem">Why it is down.</param>
internal sealed record ServerObservation(string Role, ServerAddress? Master, string? MasterLink, long? Offset, string? Problem)
{
    public bool IsDown => Role == "down";

    /// <summary>"host:port" of the master this replica follows, or null.</summary>
    public string? ReplicaOf => Master?.ToString();

    public bool IsBusy => Role == "busy";

    public static ServerObservation Down(string problem) => new("down", null, null, null, problem);

    /// <summary>A server that answered -BUSY: up, but saying nothing of its role until its script ends.</summary>
    public static ServerObservation Busy() => new("busy", null, null, null, ProbeResult.BusyProblem);

    /// <summary>Reads the fields of an INFO replication reply.</summary>
    public static ServerObservation Parse(string info)
    {
        var fields = ServerInfo.Parse(info);
        return fields["role"] == "slave"
            ? new ServerObservation("replica", fields.MasterAddress, fields["master_link_status"], fields.Int64("slave_repl_offset"), null)
            : new ServerObservation("master", null, null, fields.Int64("master_repl_offset"), null);
    }
}
