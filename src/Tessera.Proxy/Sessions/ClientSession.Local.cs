using System.Buffers;
using System.Globalization;
using System.Text;
using Tessera.Proxy.Commands;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>Commands the proxy answers itself (connection state, COMMAND from the table, INFO, TIME...).</remarks>
internal sealed partial class ClientSession
{
    private const string ServerVersion = "7.0.15";

    private void RunLocal(RequestFrame frame, CommandSpec spec, LocalCommand command)
    {
        switch (command)
        {
            case LocalCommand.Ping:
                if (frame.Count > 2)
                {
                    // PING's arity (-1) admits any count; Redis's PING itself takes at most one message.
                    ReplyError("ERR wrong number of arguments for 'ping' command");
                    break;
                }

                if (InSubscribedMode)
                {
                    // RESP2 subscribed clients get PING's answer as a "pong" message.
                    var pong = BeginLocal();
                    RespWriter.WriteArrayHeader(pong, 2);
                    RespWriter.WriteBulkString(pong, "pong"u8);
                    if (frame.Count > 1)
                    {
                        RespWriter.WriteBulkString(pong, frame.Arg(1));
                    }
                    else
                    {
                        RespWriter.WriteBulkString(pong, ""u8);
                    }
                }
                else if (frame.Count == 1)
                {
                    RespWriter.WriteSimpleString(BeginLocal(), "PONG"u8);
                }
                else
                {
                    RespWriter.WriteBulkString(BeginLocal(), frame.Arg(1));
                }

                EndLocal();
                break;
            case LocalCommand.Echo:
                RespWriter.WriteBulkString(BeginLocal(), frame.Arg(1));
                EndLocal();
                break;
            case LocalCommand.Quit:
                ReplyOk();
                _stopReading = true;
                break;
            case LocalCommand.Hello:
                Hello(frame);
                break;
            case LocalCommand.Auth:
                Auth(frame, 1);
                break;
            case LocalCommand.Select:
                if (!frame.TryGetInt64(1, out long db))
                {
                    ReplyError("ERR value is not an integer or out of range");
                }
                else if (db != 0)
                {
                    ReplyError($"ERR Tessera serves database 0 only (SELECT {db}); use a namespace to keep data apart");
                }
                else
                {
                    ReplyOk();
                }

                break;
            case LocalCommand.Time:
                {
                    long micros = (_context.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;
                    var w = BeginLocal();
                    RespWriter.WriteArrayHeader(w, 2);
                    RespWriter.WriteBulkString(w, (micros / 1_000_000).ToString(CultureInfo.InvariantCulture));
                    RespWriter.WriteBulkString(w, (micros % 1_000_000).ToString(CultureInfo.InvariantCulture));
                    EndLocal();
                    break;
                }

            case LocalCommand.Info:
                Info(frame);
                break;
            case LocalCommand.DbSize:
                if (RoutesOrError() is { } routes)
                {
                    FanOut(routes, MergeKind.SumIntegers, null, "DBSIZE");
                }

                break;
            case LocalCommand.Command:
            case LocalCommand.CommandCount:
            case LocalCommand.CommandInfo:
            case LocalCommand.CommandDocs:
            case LocalCommand.CommandList:
            case LocalCommand.CommandGetKeys:
            case LocalCommand.CommandGetKeysAndFlags:
                CommandCommand(frame, command);
                break;
            case LocalCommand.ClientSetName:
                ClientSetName(frame);
                break;
            case LocalCommand.ClientGetName:
                if (Name is null)
                {
                    RespWriter.WriteNull(BeginLocal(), Protocol);
                }
                else
                {
                    RespWriter.WriteBulkString(BeginLocal(), Name);
                }

                EndLocal();
                break;
            case LocalCommand.ClientId:
                RespWriter.WriteInteger(BeginLocal(), Id);
                EndLocal();
                break;
            case LocalCommand.ClientSetInfo:
                ClientSetInfo(frame);
                break;
            case LocalCommand.ClientInfo:
                RespWriter.WriteVerbatim(BeginLocal(), ClientInfoLine(), Protocol);
                EndLocal();
                break;
            case LocalCommand.ClientTracking:
            case LocalCommand.ClientCaching:
            case LocalCommand.ClientGetRedir:
            case LocalCommand.ClientTrackingInfo:
                RunTrackingCommand(frame, command);
                break;
            case LocalCommand.ClientNoEvict:
                // Proxy sessions hold no backend memory of their own to protect; accepted for client libraries.
                if (frame.ArgEquals(2, "ON"u8) || frame.ArgEquals(2, "OFF"u8))
                {
                    ReplyOk();
                }
                else
                {
                    ReplyError("ERR syntax error");
                }

                break;
            case LocalCommand.ClientReply:
                SetReplyMode(frame);
                break;
            case LocalCommand.Reset:
                // RESET: leave MULTI, WATCH and subscriptions, back to RESP2 and no name, as Redis does.
                // Closing this session's own connections drops their MULTI, WATCH and subscriptions on the servers.
                CloseDedicatedConnections();
                if (Protocol != RespProtocol.Resp2)
                {
                    // Back to RESP2's connections, as HELLO 2: the replies owed on RESP3's arrive first.
                    PauseForReplies();
                }

                Protocol = RespProtocol.Resp2;
                Name = null;
                _replyMode = ReplyMode.On;
                ResetUser();
                _readPreference = ReadPreference.Namespace;
                RespWriter.WriteSimpleString(BeginLocal(), "RESET"u8);
                EndLocal();
                break;
            case LocalCommand.Cluster:
            case LocalCommand.Asking:
                RunCluster(frame, spec, command);
                break;
            case LocalCommand.ReadOnly:
                SetReadPreference(ReadPreference.Replicas);
                break;
            case LocalCommand.ReadWrite:
                SetReadPreference(ReadPreference.Master);
                break;
            case LocalCommand.UnknownSubcommand:
                if (spec.Name == "client" && (frame.ArgEquals(1, "NO-TOUCH"u8) && (frame.ArgEquals(2, "ON"u8) || frame.ArgEquals(2, "OFF"u8))))
                {
                    // CLIENT NO-TOUCH arrived in Redis 7.2; accepted so client libraries can send it.
                    ReplyOk();
                    break;
                }

                if (spec.Name == "client" && frame.ArgEquals(1, "SETINFO"u8))
                {
                    // CLIENT SETINFO arrived in Redis 7.2; client libraries send it, so answer it here.
                    ClientSetInfo(frame);
                    break;
                }

                ReplyError($"ERR unknown subcommand '{Encoding.UTF8.GetString(frame.ArgSpan(1))}'. Try {spec.DisplayName} HELP.");
                break;
            default:
                ReplyError($"ERR {spec.DisplayName} is not handled by this proxy");
                break;
        }
    }

    private void ReplyOk()
    {
        RespWriter.WriteSimpleString(BeginLocal(), "OK"u8);
        EndLocal();
    }

    /// <summary>HELLO [protover [AUTH user pass] [SETNAME name]]: switches protocol and answers the server map clients expect.</summary>
    private void Hello(RequestFrame frame)
    {
        var protocol = Protocol;
        if (frame.Count > 1)
        {
            if (!frame.TryGetInt64(1, out long version))
            {
                ReplyError("ERR Protocol version is not an integer or out of range");
                return;
            }

            if (version is not (2 or 3))
            {
                ReplyError("NOPROTO unsupported protocol version");
                return;
            }

            protocol = (RespProtocol)version;
        }

        // As Redis: every option is read first, then AUTH is tried, then the session must be authenticated, then SETNAME.
        int auth = -1, setName = -1;
        for (int i = 2; i < frame.Count; i++)
        {
            if (frame.ArgEquals(i, "AUTH"u8) && i + 2 < frame.Count)
            {
                auth = i + 1;
                i += 2;
            }
            else if (frame.ArgEquals(i, "SETNAME"u8) && i + 1 < frame.Count)
            {
                setName = i + 1;
                i += 1;
            }
            else
            {
                ReplyError($"ERR Syntax error in HELLO option '{Encoding.UTF8.GetString(frame.ArgSpan(i))}'");
                return;
            }
        }

        if (auth > 0 && !Authenticate(frame.ArgSpan(auth), frame.ArgSpan(auth + 1)))
        {
            return;
        }

        if (CurrentUser() is null)
        {
            ReplyError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }

        if (setName > 0 && !TrySetName(frame.ArgSpan(setName)))
        {
            return;
        }

        if (protocol != Protocol)
        {
            // Later commands go over the other protocol's backend connections: let the replies owed on the
            // current ones arrive first so no later command can overtake an earlier one.
            PauseForReplies();
            if (protocol == RespProtocol.Resp2)
            {
                StopTrackingForResp2();
            }
        }

        Protocol = protocol;
        var w = BeginLocal();
        RespWriter.WriteMapHeader(w, 7, protocol);
        RespWriter.WriteBulkString(w, "server"u8);
        RespWriter.WriteBulkString(w, "redis"u8);
        RespWriter.WriteBulkString(w, "version"u8);
        RespWriter.WriteBulkString(w, ServerVersion);
        RespWriter.WriteBulkString(w, "proto"u8);
        RespWriter.WriteInteger(w, (int)protocol);
        RespWriter.WriteBulkString(w, "id"u8);
        RespWriter.WriteInteger(w, Id);
        RespWriter.WriteBulkString(w, "mode"u8);
        RespWriter.WriteBulkString(w, _context.Cluster.Enabled ? "cluster"u8 : "standalone"u8);
        RespWriter.WriteBulkString(w, "role"u8);
        RespWriter.WriteBulkString(w, "master"u8);
        RespWriter.WriteBulkString(w, "modules"u8);
        RespWriter.WriteArrayHeader(w, 0);
        EndLocal();
    }

    private void ClientSetName(RequestFrame frame)
    {
        if (TrySetName(frame.ArgSpan(2)))
        {
            ReplyOk();
        }
    }

    private bool TrySetName(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
        {
            if (b is < (byte)'!' or > (byte)'~')
            {
                ReplyError("ERR Client names cannot contain spaces, newlines or special characters.");
                return false;
            }
        }

        Name = name.Length == 0 ? null : Encoding.UTF8.GetString(name);
        return true;
    }

    private void ClientSetInfo(RequestFrame frame)
    {
        if (frame.Count != 4)
        {
            ReplyError("ERR wrong number of arguments for 'client|setinfo' command");
            return;
        }

        string value = Encoding.UTF8.GetString(frame.ArgSpan(3));
        if (frame.ArgEquals(2, "LIB-NAME"u8))
        {
            LibraryName = value;
        }
        else if (frame.ArgEquals(2, "LIB-VER"u8))
        {
            LibraryVersion = value;
        }
        else
        {
            ReplyError($"ERR Unrecognized option '{Encoding.UTF8.GetString(frame.ArgSpan(2))}'");
            return;
        }

        ReplyOk();
    }

    private string ClientInfoLine()
    {
        long age = (long)(_context.Time.GetUtcNow() - CreatedAt).TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"id={Id} addr={RemoteAddress} laddr={_context.Endpoint} name={Name} age={age} idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 resp={(int)Protocol} lib-name={LibraryName} lib-ver={LibraryVersion} user={UserName} ns={Namespace}\n");
    }
}
