namespace Tessera.Resp.Protocol;

/// <summary>The protocol version a client chose with HELLO (RESP2 until it asks for 3).</summary>
public enum RespProtocol
{
    Resp2 = 2,
    Resp3 = 3,
}
