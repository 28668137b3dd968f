using System.Buffers;
using System.Globalization;
using System.Text;
using Tessera.Proxy.Cluster;
using Tessera.Proxy.Commands;
using Tessera.Resp.Commands;
using Tessera.Resp.Keys;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// The Redis Cluster face (<see cref="ProxyOptions.ClusterFace"/>): CLUSTER SLOTS, SHARDS, NODES, INFO, MYID and
/// KEYSLOT answered from <see cref="ClusterFace.Table"/> in redis-server 7's shapes, and ASKING. Off, they are refused
/// as a standalone server's proxy always refused them.
/// <para>
/// Which table: the one over the live face proxies of this proxy's zone when the connection's namespace reads in mode
/// nearest and the proxy has a zone (a client in az1 then only uses az1 proxies, so its reads stay near), else the one
/// over all of them (<see cref="ClusterFace.TableFor"/>). Which transport: a TLS connection is given the proxies that
/// serve TLS, at their TLS listeners' ports (<see cref="ClusterMember.PortFor"/>), a plain one those with a plain
/// listener, at its port.
/// </para>
/// <para>
/// Not done: a per-client-zone announce address (a proxy giving az1 clients one address and az2 clients another).
/// With the zone-scoped table a nearest client is only ever told about proxies of its own zone, so each proxy's one
/// --announce (what clients of its zone reach it at) suffices; clients of other read modes get every proxy's
/// --announce, which must then be reachable from every zone, as without zones.
/// </para>
/// </remarks>
internal sealed partial class ClientSession
{
    private void RunCluster(RequestFrame frame, CommandSpec spec, LocalCommand command)
    {
        var face = _context.Cluster;
        if (!face.Enabled)
        {
            ReplyError(CommandPolicies.ClusterRefusal(spec.DisplayName));
            return;
        }

        if (command == LocalCommand.Asking)
        {
            ReplyOk();
            return;
        }

        var table = face.TableFor(ZoneScopedTable(), _context.Routing.Fenced, _tls);
        switch (spec.Name)
        {
            case "cluster|slots":
                WriteClusterSlots(BeginLocal(), table);
                break;
            case "cluster|shards":
                WriteClusterShards(BeginLocal(), table);
                break;
            case "cluster|nodes":
                RespWriter.WriteVerbatim(BeginLocal(), ClusterNodesText(table), Protocol);
                break;
            case "cluster|info":
                RespWriter.WriteVerbatim(BeginLocal(), ClusterInfoText(table), Protocol);
                break;
            case "cluster|myid":
                RespWriter.WriteBulkString(BeginLocal(), face.Self?.NodeId ?? "");
                break;
            case "cluster|keyslot":
                RespWriter.WriteInteger(BeginLocal(), ClusterKeySlot.Of(frame.ArgSpan(2)));
                break;
            default:
                ReplyError(CommandPolicies.ClusterRefusal(spec.DisplayName));
                return;
        }

        EndLocal();
    }

    /// <summary>True when this connection's namespace reads in mode nearest: it is answered its proxy's zone's table.</summary>
    private bool ZoneScopedTable() =>
        _context.Cluster.Zone is not null && _context.Routing.Current.Find(Namespace)?.Config.Reads?.Mode == Tessera.Model.Topology.ReadMode.Nearest;

    /// <summary>CLUSTER SLOTS: [from, to, [host, port, id, {}]] per range (no replicas: every proxy is a master).</summary>
    private void WriteClusterSlots(IBufferWriter<byte> w, ClusterTable table)
    {
        RespWriter.WriteArrayHeader(w, table.Ranges.Count);
        foreach (var range in table.Ranges)
        {
            var node = table.Nodes[range.Node];
            RespWriter.WriteArrayHeader(w, 3);
            RespWriter.WriteInteger(w, range.From);
            RespWriter.WriteInteger(w, range.To);
            RespWriter.WriteArrayHeader(w, 4);
            RespWriter.WriteBulkString(w, node.Host);
            RespWriter.WriteInteger(w, node.PortFor(_tls));
            RespWriter.WriteBulkString(w, node.NodeId);
            RespWriter.WriteMapHeader(w, 0, Protocol);
        }
    }

    /// <summary>CLUSTER SHARDS: per proxy a map of its slot ranges (flat from/to pairs) and its one node's description.</summary>
    private void WriteClusterShards(IBufferWriter<byte> w, ClusterTable table)
    {
        RespWriter.WriteArrayHeader(w, table.Nodes.Count);
        for (int i = 0; i < table.Nodes.Count; i++)
        {
            var node = table.Nodes[i];
            RespWriter.WriteMapHeader(w, 2, Protocol);
            RespWriter.WriteBulkString(w, "slots"u8);
            int ranges = table.RangesOf(i).Count();
            RespWriter.WriteArrayHeader(w, ranges * 2);
            foreach (var range in table.RangesOf(i))
            {
                RespWriter.WriteInteger(w, range.From);
                RespWriter.WriteInteger(w, range.To);
            }

            RespWriter.WriteBulkString(w, "nodes"u8);
            RespWriter.WriteArrayHeader(w, 1);
            RespWriter.WriteMapHeader(w, 7, Protocol);
            RespWriter.WriteBulkString(w, "id"u8);
            RespWriter.WriteBulkString(w, node.NodeId);
            RespWriter.WriteBulkString(w, "port"u8);
            RespWriter.WriteInteger(w, node.PortFor(_tls));
            RespWriter.WriteBulkString(w, "ip"u8);
            RespWriter.WriteBulkString(w, node.Host);
            RespWriter.WriteBulkString(w, "endpoint"u8);
            RespWriter.WriteBulkString(w, node.Host);
            RespWriter.WriteBulkString(w, "role"u8);
            RespWriter.WriteBulkString(w, "master"u8);
            RespWriter.WriteBulkString(w, "replication-offset"u8);
            RespWriter.WriteInteger(w, 0);
            RespWriter.WriteBulkString(w, "health"u8);
            RespWriter.WriteBulkString(w, "online"u8);
        }
    }

    /// <summary>
    /// CLUSTER NODES: "id host:port@cport flags master ping-sent pong-recv config-epoch link-state slots…" per proxy. The
    /// cluster bus port is 0: proxies have no bus (they learn of each other from the store).
    /// </summary>
    private string ClusterNodesText(ClusterTable table)
    {
        var text = new StringBuilder();
        long now = _context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        for (int i = 0; i < table.Nodes.Count; i++)
        {
            var node = table.Nodes[i];
            bool myself = table.Self?.NodeId == node.NodeId;
            text.Append(CultureInfo.InvariantCulture, $"{node.NodeId} {HostPort(node)}@0 {(myself ? "myself,master" : "master")} - 0 {(myself ? 0 : now)} {node.Epoch} connected");
            foreach (var range in table.RangesOf(i))
            {
                if (range.From == range.To)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {range.From}");
                }
                else
                {
                    text.Append(CultureInfo.InvariantCulture, $" {range.From}-{range.To}");
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private string HostPort(ClusterMember node) => node.Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{node.Host}]:{node.PortFor(_tls)}")
        : string.Create(CultureInfo.InvariantCulture, $"{node.Host}:{node.PortFor(_tls)}");

    /// <summary>CLUSTER INFO's fields (no cluster bus: its message counters are zero, which redis-server lists as totals only).</summary>
    private static string ClusterInfoText(ClusterTable table)
    {
        int assigned = table.Ranges.Sum(static r => r.To - r.From + 1);
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"cluster_state:{(assigned == ClusterKeySlot.Count ? "ok" : "fail")}\r\n")
            .Append(invariant, $"cluster_slots_assigned:{assigned}\r\n")
            .Append(invariant, $"cluster_slots_ok:{assigned}\r\n")
            .Append("cluster_slots_pfail:0\r\ncluster_slots_fail:0\r\n")
            .Append(invariant, $"cluster_known_nodes:{table.Nodes.Count}\r\n")
            .Append(invariant, $"cluster_size:{table.Ranges.Select(static r => r.Node).Distinct().Count()}\r\n")
            .Append(invariant, $"cluster_current_epoch:{table.CurrentEpoch}\r\n")
            .Append(invariant, $"cluster_my_epoch:{table.Self?.Epoch ?? 0}\r\n")
            .Append("cluster_stats_messages_sent:0\r\ncluster_stats_messages_received:0\r\n")
            .Append("total_cluster_links_buffer_limit_exceeded:0\r\n");
        return text.ToString();
    }
}
