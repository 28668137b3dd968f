using System.Globalization;

namespace Tessera.Controller.Servers;

/// <summary>What a redis-server said about itself in <c>INFO replication</c>, or why it said nothing.</summary>
/// <param name="Role">"master", "replica" or "down".</param>
/// <param name="MasterHost">For a replica, the master it follows.</param>
/// <param name="MasterPort">For a replica, the master's port.</param>
/// <param name="MasterLink">For a replica, "up" or "down".</param>
/// <param name="Offset">master_repl_offset of a master, slave_repl_offset of a replica.</param>
/// <param name="Problem">Why it is down.</param>
internal sealed record ServerObservation(string Role, string? MasterHost, int? MasterPort, string? MasterLink, long? Offset, string? Problem)
{
    public bool IsDown => Role == "down";

    /// <summary>"host:port" of the master this replica follows, or null.</summary>
    public string? ReplicaOf => MasterHost is null || MasterPort is null ? null : string.Create(CultureInfo.InvariantCulture, $"{MasterHost}:{MasterPort}");

    public static ServerObservation Down(string problem) => new("down", null, null, null, null, problem);

    /// <summary>Reads the fields of an INFO replication reply ("field:value" lines).</summary>
    public static ServerObservation Parse(string info)
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

        var role = fields.GetValueOrDefault("role") == "slave" ? "replica" : "master";
        if (role == "replica")
        {
            return new ServerObservation(
                role,
                fields.GetValueOrDefault("master_host"),
                int.TryParse(fields.GetValueOrDefault("master_port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null,
                fields.GetValueOrDefault("master_link_status"),
                Long(fields.GetValueOrDefault("slave_repl_offset")),
                null);
        }

        return new ServerObservation(role, null, null, null, Long(fields.GetValueOrDefault("master_repl_offset")), null);
    }

    private static long? Long(string? text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}
