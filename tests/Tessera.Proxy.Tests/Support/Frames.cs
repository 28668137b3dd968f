using System.Buffers;
using System.Text;
using Tessera.Resp.Protocol;

namespace Tessera.Proxy.Tests.Support;

/// <summary>Parsed requests for unit tests, made the way a session gets them (RESP bytes through the request parser).</summary>
public static class Frames
{
    internal static RequestFrame Parse(params string[] args)
    {
        var frame = new RequestFrame();
        var bytes = new ReadOnlySequence<byte>(RawConnection.Command(args));
        var status = RequestParser.TryParse(bytes, frame, RespLimits.Default);
        if (status != ParseStatus.Complete)
        {
            throw new InvalidOperationException($"'{string.Join(' ', args)}' did not parse: {status} {frame.Error}");
        }

        return frame;
    }

    /// <summary>The RESP text of <paramref name="bytes"/>, with \r\n kept, for readable assertions.</summary>
    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
