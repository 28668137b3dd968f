using System.Buffers;
using Tessera.Resp.Protocol;

namespace Tessera.Resp.Values;

/// <summary>Materialises one RESP value from the start of a buffer.</summary>
public static class RespValueReader
{
    /// <summary>Reads one value; <paramref name="consumed"/> is its byte length when complete.</summary>
    public static ParseStatus TryRead(in ReadOnlySequence<byte> input, out RespValue? value, out long consumed) => throw new NotImplementedException();
}
