using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>INFO: the proxy's view plus the groups' keyspace (COMMAND is in ClientSession.Command.cs).</remarks>
internal sealed partial class ClientSession
{
    private static readonly string[] DefaultSections = ["server", "clients", "stats", "cluster", "proxy", "keyspace"];

    private void Info(RequestFrame frame)
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < frame.Count; i++)
        {
            string name = Encoding.UTF8.GetString(frame.ArgSpan(i));
            if (name is "all" or "default" or "everything")
            {
                sections.UnionWith(DefaultSections);
            }
            else
            {
                sections.Add(name);
            }
        }

        if (sections.Count == 0)
        {
            sections.UnionWith(DefaultSections);
        }

        string text = InfoText(sections);
        if (sections.Contains("keyspace") && _context.Routing.Current.Find(Namespace) is { Groups.Count: > 0 } routes)
        {
            FanOut(routes, MergeKind.InfoKeyspace, text, "INFO", "keyspace");
            return;
        }

        if (sections.Contains("keyspace"))
        {
            text += "# Keyspace\r\n";
        }

        RespWriter.WriteVerbatim(BeginLocal(), text, Protocol);
        EndLocal();
    }

    private string InfoText(HashSet<string> sections)
    {
        var stats = _context.Stats;
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        if (sections.Contains("server"))
        {
            text.Append("# Server\r\n")
                .Append(invariant, $"redis_version:{ServerVersion}\r\n")
                .Append(invariant, $"tessera_version:{typeof(ClientSession).Assembly.GetName().Version}\r\n")
                .Append(_context.Cluster.Enabled ? "redis_mode:cluster\r\n" : "redis_mode:standalone\r\n")
                .Append(invariant, $"process_id:{Environment.ProcessId}\r\n")
                .Append(invariant, $"tcp_port:{_context.Endpoint?.Port}\r\n")
                .Append(invariant, $"uptime_in_seconds:{(long)(_context.Time.GetUtcNow() - stats.StartedAt).TotalSeconds}\r\n")
                .Append("\r\n");
        }

        if (sections.Contains("clients"))
        {
            text.Append("# Clients\r\n")
                .Append(invariant, $"connected_clients:{stats.ConnectedClients}\r\n")
                .Append(invariant, $"maxclients:{_context.Options.MaxClients}\r\n")
                .Append("\r\n");
        }

        if (sections.Contains("stats"))
        {
            text.Append("# Stats\r\n")
                .Append(invariant, $"total_connections_received:{stats.ConnectionsReceived}\r\n")
                .Append(invariant, $"total_commands_processed:{stats.Commands}\r\n")
                .Append(invariant, $"rejected_connections:{stats.RejectedConnections}\r\n")
                .Append("\r\n");
        }

        if (sections.Contains("cluster"))
        {
            text.Append(invariant, $"# Cluster\r\ncluster_enabled:{(_context.Cluster.Enabled ? 1 : 0)}\r\n\r\n");
        }

        if (sections.Contains("proxy"))
        {
            var snapshot = _context.Routing.Current;
            var routes = snapshot.Find(Namespace);
            text.Append("# Proxy\r\n")
                .Append(invariant, $"namespace:{Namespace}\r\n")
                .Append(invariant, $"user:{UserName}\r\n")
                .Append(invariant, $"namespace_read_only:{(_user?.Tenant.ReadOnly == true ? 1 : 0)}\r\n")
                .Append(invariant, $"auth_failures:{_user?.Tenant.AuthFailures ?? 0}\r\n")
                .Append(invariant, $"namespace_connections:{_user?.Tenant.Connections ?? 0}\r\n")
                .Append(invariant, $"quota_waits:{_user?.Tenant.QuotaWaits ?? 0}\r\n")
                .Append(invariant, $"quota_ops_share:{_user?.Tenant.Ops?.Rate ?? 0:0.##}\r\n")
                .Append(invariant, $"quota_bytes_in_share:{_user?.Tenant.BytesIn?.Rate ?? 0:0.##}\r\n")
                .Append(invariant, $"quota_bytes_out_share:{_user?.Tenant.BytesOut?.Rate ?? 0:0.##}\r\n")
                .Append(invariant, $"quota_connections_share:{_user?.Tenant.MaxConnections ?? 0}\r\n")
                .Append(invariant, $"read_mode:{(routes is null ? "master" : Model.Topology.ReadSettings.Name(EffectiveReadMode(routes)))}\r\n")
                .Append(invariant, $"replica_reads:{stats.ReplicaReads}\r\n")
                .Append(invariant, $"zone:{_context.Routing.Zone ?? ""}\r\n")
                .Append(invariant, $"epoch:{snapshot.Epoch}\r\n")
                .Append(invariant, $"groups:{routes?.Groups.Count ?? 0}\r\n");
            if (routes is not null)
            {
                foreach (var group in routes.Groups)
                {
                    int slots = 0;
                    foreach (var owner in routes.Slots)
                    {
                        if (ReferenceEquals(owner, group))
                        {
                            slots++;
                        }
                    }

                    text.Append(invariant, $"group{group.Id}:master={group.Master.Address},replicas={group.Replicas.Count},fresh_replicas={group.Reads.Count},slots={slots},status={(group.Master.IsAvailable ? "up" : "down")}\r\n");
                }
            }

            text.Append(invariant, $"backend_failures:{stats.BackendFailures}\r\n")
                .Append(invariant, $"protocol_errors:{stats.ProtocolErrors}\r\n")
                .Append(invariant, $"allocated_bytes:{GC.GetTotalAllocatedBytes(false)}\r\n")
                .Append(invariant, $"gc_collections:{GC.CollectionCount(0)},{GC.CollectionCount(1)},{GC.CollectionCount(2)}\r\n")
                .Append(invariant, $"used_memory_rss:{Process.GetCurrentProcess().WorkingSet64}\r\n")
                .Append("\r\n");
        }

        return text.ToString();
    }
}
