using System.Buffers;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Sessions.PubSub;

/// <summary>
/// The proxy's own (un)subscribe confirmations: <c>[kind, channel, count]</c>, an array in RESP2 and a push in
/// RESP3, with a null channel when an unsubscribe found nothing to remove.
/// </summary>
internal static class SubscriptionReplies
{
    public static void Write(IBufferWriter<byte> writer, RespProtocol protocol, string kind, ReadOnlySpan<byte> channel, int count)
    {
        WriteHeader(writer, protocol, kind);
        RespWriter.WriteBulkString(writer, channel);
        RespWriter.WriteInteger(writer, count);
    }

    public static void WriteNoChannel(IBufferWriter<byte> writer, RespProtocol protocol, string kind, int count)
    {
        WriteHeader(writer, protocol, kind);
        RespWriter.WriteNull(writer, protocol);
        RespWriter.WriteInteger(writer, count);
    }

    /// <summary>The confirmation as a reply of <paramref name="session"/>, in its place in the reply order.</summary>
    public static void Reply(ISessionView session, string kind, ReadOnlySpan<byte> channel, int count)
    {
        Write(session.BeginLocal(), session.Protocol, kind, channel, count);
        session.EndLocal();
    }

    /// <summary>The confirmation's bytes, kept until the servers confirm (written in the session's scratch buffer, then copied).</summary>
    public static byte[] Bytes(ISessionView session, string kind, ReadOnlySpan<byte> channel, int count)
    {
        var writer = session.BeginLocal();
        Write(writer, session.Protocol, kind, channel, count);
        var bytes = writer.WrittenSpan.ToArray();
        writer.ResetWrittenCount();
        return bytes;
    }

    private static void WriteHeader(IBufferWriter<byte> writer, RespProtocol protocol, string kind)
    {
        if (protocol == RespProtocol.Resp3)
        {
            writer.GetSpan(1)[0] = (byte)'>';
            writer.Advance(1);
            RespWriter.WriteRaw(writer, "3\r\n"u8);
        }
        else
        {
            RespWriter.WriteArrayHeader(writer, 3);
        }

        RespWriter.WriteBulkString(writer, kind);
    }
}
