using System.Buffers;
using System.Globalization;
using Tessera.Resp.Protocol;
using Tessera.Resp.Servers;

namespace Tessera.Proxy.Migration;

/// <summary>Writes Redis's MIGRATE command: one key, or several with KEYS (REPLACE, database 0).</summary>
internal static class MigrateCommand
{
    public static void Write(IBufferWriter<byte> writer, string targetAddress, IReadOnlyList<byte[]> keys, TimeSpan timeout)
    {
        var target = ServerAddress.Parse(targetAddress);
        string host = target.Host;
        string port = target.Port.ToString(CultureInfo.InvariantCulture);
        string millis = ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        bool single = keys.Count == 1;
        RespWriter.WriteArrayHeader(writer, single ? 7 : 8 + keys.Count);
        RespWriter.WriteBulkString(writer, "MIGRATE"u8);
        RespWriter.WriteBulkString(writer, host);
        RespWriter.WriteBulkString(writer, port);
        RespWriter.WriteBulkString(writer, single ? keys[0] : []);
        RespWriter.WriteBulkString(writer, "0"u8);
        RespWriter.WriteBulkString(writer, millis);
        RespWriter.WriteBulkString(writer, "REPLACE"u8);
        if (!single)
        {
            RespWriter.WriteBulkString(writer, "KEYS"u8);
            foreach (var key in keys)
            {
                RespWriter.WriteBulkString(writer, key);
            }
        }
    }
}
