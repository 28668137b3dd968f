using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>INFO (the proxy's view plus the groups' keyspace) and COMMAND (answered from the generated table).</remarks>
internal sealed partial class ClientSession
{
    private static readonly string[] DefaultSections = ["server", "clients", "stats", "proxy", "keyspace"];

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
                .Append("redis_mode:standalone\r\n")
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

        if (sections.Contains("proxy"))
        {
            var snapshot = _context.Routing.Current;
            var routes = snapshot.Find(Namespace);
            text.Append("# Proxy\r\n")
                .Append(invariant, $"namespace:{Namespace}\r\n")
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

                    text.Append(invariant, $"group{group.Id}:master={group.Master.Address},replicas={group.Replicas.Count},slots={slots},status={(group.Master.IsAvailable ? "up" : "down")}\r\n");
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

    private void CommandCommand(RequestFrame frame, LocalCommand command)
    {
        var table = _context.Policies.Table;
        switch (command)
        {
            case LocalCommand.Command:
                {
                    var w = BeginLocal();
                    RespWriter.WriteArrayHeader(w, table.Commands.Count);
                    foreach (var spec in table.Commands)
                    {
                        CommandTable.WriteInfo(w, spec, Protocol);
                    }

                    EndLocal();
                    break;
                }

            case LocalCommand.CommandCount:
                RespWriter.WriteInteger(BeginLocal(), table.Commands.Count);
                EndLocal();
                break;
            case LocalCommand.CommandList:
                {
                    if (frame.Count > 2)
                    {
                        ReplyError("ERR COMMAND LIST FILTERBY is not supported through Tessera; use COMMAND LIST");
                        return;
                    }

                    var w = BeginLocal();
                    RespWriter.WriteArrayHeader(w, table.Commands.Count);
                    foreach (var spec in table.Commands)
                    {
                        RespWriter.WriteBulkString(w, spec.Name);
                    }

                    EndLocal();
                    break;
                }

            case LocalCommand.CommandInfo:
                {
                    var w = BeginLocal();
                    if (frame.Count == 2)
                    {
                        RespWriter.WriteArrayHeader(w, table.Commands.Count);
                        foreach (var spec in table.Commands)
                        {
                            CommandTable.WriteInfo(w, spec, Protocol);
                        }
                    }
                    else
                    {
                        RespWriter.WriteArrayHeader(w, frame.Count - 2);
                        for (int i = 2; i < frame.Count; i++)
                        {
                            if (table.Find(Encoding.UTF8.GetString(frame.ArgSpan(i))) is { } spec)
                            {
                                CommandTable.WriteInfo(w, spec, Protocol);
                            }
                            else
                            {
                                RespWriter.WriteNullArray(w, Protocol);
                            }
                        }
                    }

                    EndLocal();
                    break;
                }

            case LocalCommand.CommandDocs:
                {
                    var specs = new List<CommandSpec>();
                    if (frame.Count == 2)
                    {
                        specs.AddRange(table.Commands);
                    }
                    else
                    {
                        for (int i = 2; i < frame.Count; i++)
                        {
                            if (table.Find(Encoding.UTF8.GetString(frame.ArgSpan(i))) is { } spec)
                            {
                                specs.Add(spec);
                            }
                        }
                    }

                    var w = BeginLocal();
                    RespWriter.WriteMapHeader(w, specs.Count, Protocol);
                    foreach (var spec in specs)
                    {
                        CommandTable.WriteDocs(w, spec, Protocol);
                    }

                    EndLocal();
                    break;
                }

            case LocalCommand.CommandGetKeys:
                CommandGetKeys(frame);
                break;
        }
    }

    /// <summary>COMMAND GETKEYS cmd arg...: the keys as the proxy itself finds them (the same code that routes).</summary>
    private void CommandGetKeys(RequestFrame frame)
    {
        // Re-encode the inner command so it can be parsed into a frame of its own.
        var inner = new ArrayBufferWriter<byte>();
        RespWriter.WriteArrayHeader(inner, frame.Count - 2);
        for (int i = 2; i < frame.Count; i++)
        {
            RespWriter.WriteBulkString(inner, frame.Arg(i));
        }

        var innerFrame = new RequestFrame();
        if (RequestParser.TryParse(new ReadOnlySequence<byte>(inner.WrittenMemory), innerFrame, _context.Options.Limits) != ParseStatus.Complete)
        {
            ReplyError("ERR Invalid arguments specified for command");
            return;
        }

        var spec = _context.Policies.Table.Resolve(innerFrame);
        if (spec is null)
        {
            ReplyError("ERR Invalid command specified");
            return;
        }

        if (!spec.ArityAllows(innerFrame.Count))
        {
            ReplyError("ERR Invalid number of arguments specified for command");
            return;
        }

        var keys = new int[innerFrame.Count];
        int count = KeyExtractor.GetKeyIndexes(spec, innerFrame, keys);
        if (count < 0)
        {
            ReplyError("ERR Invalid arguments specified for command");
            return;
        }

        if (count == 0)
        {
            ReplyError("ERR The command has no key arguments");
            return;
        }

        var w = BeginLocal();
        RespWriter.WriteArrayHeader(w, count);
        for (int i = 0; i < count; i++)
        {
            RespWriter.WriteBulkString(w, innerFrame.Arg(keys[i]));
        }

        EndLocal();
    }
}
