using System.Buffers;
using System.Globalization;
using Tessera.Model.Tenants;
using Tessera.Resp.Protocol;
using Tessera.Resp.Servers;

namespace Tessera.Proxy.Migration;

/// <summary>
/// Writes Redis's MIGRATE command: one key, or several with KEYS (REPLACE, database 0), logging in to the target with
/// <c>AUTH password</c> or <c>AUTH2 user password</c> when the namespace has backend credentials (source and target are
/// servers of the same namespace, so they share them).
/// </summary>
internal static class MigrateCommand
{
    public static void Write(IBufferWriter<byte> writer, string targetAddress, IReadOnlyList<byte[]> keys, TimeSpan timeout, BackendCredentials? login = null)
    {
        var target = ServerAddress.Parse(targetAddress);
        string host = target.Host;
        string port = target.Port.ToString(CultureInfo.InvariantCulture);
        string millis = ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        bool single = keys.Count == 1;
        int auth = login is null ? 0 : login.User is null ? 2 : 3;
        RespWriter.WriteArrayHeader(writer, (single ? 7 : 8 + keys.Count) + auth);
        RespWriter.WriteBulkString(writer, "MIGRATE"u8);
        RespWriter.WriteBulkString(writer, host);
        RespWriter.WriteBulkString(writer, port);
        RespWriter.WriteBulkString(writer, single ? keys[0] : []);
        RespWriter.WriteBulkString(writer, "0"u8);
        RespWriter.WriteBulkString(writer, millis);
        RespWriter.WriteBulkString(writer, "REPLACE"u8);
        if (login is not null)
        {
            RespWriter.WriteBulkString(writer, login.User is null ? "AUTH"u8 : "AUTH2"u8);
            if (login.User is { } user)
            {
                RespWriter.WriteBulkString(writer, user);
            }

            RespWriter.WriteBulkString(writer, login.Password);
        }
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
