using System.Text;
using Tessera.Resp.Client;
using Tessera.Resp.Protocol;
using Tessera.Resp.Tests.Values;
using Tessera.Resp.Values;

namespace Tessera.Resp.Tests.Client;

public class ReplyFrameScannerTests
{
    [Theory]
    [MemberData(nameof(RespValueReaderTests.Cases), MemberType = typeof(RespValueReaderTests))]
    public void FindsTheEnd_OfEveryType(string wire, RespValue expected)
    {
        _ = expected;
        byte[] bytes = Encoding.UTF8.GetBytes(wire + "+NEXT\r\n");
        var scanner = new ReplyFrameScanner();
        Assert.Equal(ParseStatus.Complete, scanner.TryScan(bytes, out int length));
        Assert.Equal(Encoding.UTF8.GetByteCount(wire), length);

        // The scanner is ready for the next reply.
        Assert.Equal(ParseStatus.Complete, scanner.TryScan(bytes.AsSpan(length), out int next));
        Assert.Equal(7, next);
    }

    [Theory]
    [MemberData(nameof(RespValueReaderTests.Cases), MemberType = typeof(RespValueReaderTests))]
    public void Resumes_AsBytesArrive_OneAtATime(string wire, RespValue expected)
    {
        _ = expected;
        byte[] bytes = Encoding.UTF8.GetBytes(wire);
        var scanner = new ReplyFrameScanner();
        for (int arrived = 0; arrived < bytes.Length; arrived++)
        {
            Assert.Equal(ParseStatus.Incomplete, scanner.TryScan(bytes.AsSpan(0, arrived), out _));
        }

        Assert.Equal(ParseStatus.Complete, scanner.TryScan(bytes, out int length));
        Assert.Equal(bytes.Length, length);
    }

    [Theory]
    [InlineData("?\r\n")]
    [InlineData("$x\r\n")]
    [InlineData("*-2\r\n")]
    [InlineData("\r\n")]
    [InlineData("$999999999999\r\n")]
    [InlineData(":1234567890123456789012345678901234567890123456789012345678901234567890")]
    public void MalformedFraming_IsAnError(string wire)
    {
        var scanner = new ReplyFrameScanner();
        Assert.Equal(ParseStatus.Error, scanner.TryScan(Encoding.UTF8.GetBytes(wire), out _));
    }
}
