using System.Buffers.Text;
using System.Buffers;
using Tessera.Proxy.Backends;
using Tessera.Proxy.Commands;
using Tessera.Proxy.Replies;
using Tessera.Proxy.Routing;
using Tessera.Resp.Commands;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions;

/// <remarks>
/// Commands over the whole keyspace or every group: SCAN walks the groups one after another with a
/// cursor that encodes the group (cursor = backend cursor × 1024 + group index, groups ordered by id), so
/// Redis's SCAN guarantees hold while the topology is stable; during a migration a key may be reported by
/// both its old and new group, or — if it moves from a group not yet scanned to one already scanned —
/// be missed, exactly the guarantees a resharding Redis Cluster gives. KEYS, RANDOMKEY, FLUSHDB, SCRIPT and
/// FUNCTION go to every group's master and the replies are merged.
/// </remarks>
internal sealed partial class ClientSession
{
    private const ulong ScanGroupSlots = 1024;

    private void RunFanOut(RequestFrame frame, CommandSpec spec, MergeKind merge, bool writes)
    {
        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        if (spec.Name is "flushdb" or "flushall" && !routes.Config.AllowFlush)
        {
            ReplyError($"ERR {spec.DisplayName} would erase every group of namespace '{routes.Name}'; it is refused unless the namespace sets allowFlush (`tessera namespace set {routes.Name} --allow-flush true`, or allowFlush: true in a topology file)");
            return;
        }

        _written.NoteEvery(routes, writes);
        FanOutFrame(routes, frame, merge);
    }

    private void Scan(RequestFrame frame)
    {
        if (RoutesOrError() is not { } routes)
        {
            return;
        }

        if (!Utf8Parser.TryParse(frame.ArgSpan(1), out ulong cursor, out int used) || used != frame.ArgLength(1))
        {
            ReplyError("ERR invalid cursor");
            return;
        }

        var groups = routes.Groups;
        int index = (int)(cursor % ScanGroupSlots);
        ulong backendCursor = cursor / ScanGroupSlots;
        if (index >= groups.Count)
        {
            var w = BeginLocal();
            RespWriter.WriteArrayHeader(w, 2);
            RespWriter.WriteBulkString(w, "0"u8);
            RespWriter.WriteArrayHeader(w, 0);
            EndLocal();
            return;
        }

        var reply = EnqueueReply();
        var connection = groups[index].Master.ConnectionFor(Id, Protocol);
        if (!connection.TryBeginWrite(out var writer, out var error))
        {
            reply.OnFailure(error!, _batch);
            return;
        }

        try
        {
            RespWriter.WriteArrayHeader(writer, frame.Count);
            RespWriter.WriteBulkString(writer, "SCAN"u8);
            RespWriter.WriteBulkString(writer, backendCursor.ToString(System.Globalization.CultureInfo.InvariantCulture));
            for (int i = 2; i < frame.Count; i++)
            {
                RespWriter.WriteBulkString(writer, frame.Arg(i));
            }
        }
        finally
        {
            connection.EndWrite(new ScanRequest(reply, index, groups.Count));
        }

        Touch(connection);
    }

    /// <summary>Rewrites a group's SCAN reply: its cursor becomes the proxy's cursor (next group when the group is done).</summary>
    private sealed class ScanRequest(Reply reply, int index, int groupCount) : BackendRequest
    {
        public override void OnReply(in ReadOnlySequence<byte> bytes, FlushBatch batch)
        {
            // *2 $n <cursor> <keys array>
            var reader = new SequenceReader<byte>(bytes);
            if (!reader.TryReadTo(out ReadOnlySpan<byte> header, "\r\n"u8) || header.Length == 0 || header[0] != (byte)'*'
                || !reader.TryReadTo(out ReadOnlySpan<byte> lengthLine, "\r\n"u8) || lengthLine.Length == 0 || lengthLine[0] != (byte)'$'
                || !reader.TryReadTo(out ReadOnlySpan<byte> cursorText, "\r\n"u8) || !Utf8Parser.TryParse(cursorText, out ulong next, out _))
            {
                // An error reply (or anything unexpected) goes to the client as it is.
                reply.OnReply(bytes, batch);
                return;
            }

            ulong proxyCursor = next != 0
                ? (next * ScanGroupSlots) + (ulong)index
                : index + 1 < groupCount ? (ulong)(index + 1) : 0;
            var output = new ArrayBufferWriter<byte>(64 + (int)reader.Remaining);
            RespWriter.WriteArrayHeader(output, 2);
            RespWriter.WriteBulkString(output, proxyCursor.ToString(System.Globalization.CultureInfo.InvariantCulture));
            RespWriter.WriteRaw(output, reader.UnreadSequence);
            reply.OnReply(new ReadOnlySequence<byte>(output.WrittenMemory), batch);
        }

        public override void OnFailure(string error, FlushBatch batch) => reply.OnFailure(error, batch);
    }
}
