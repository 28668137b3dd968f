namespace Tessera.Resp.Values;

/// <summary>Kinds of RESP2/RESP3 values.</summary>
public enum RespKind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
    Null,
    Map,
    Set,
    Double,
    Boolean,
    BigNumber,
    Verbatim,
    Push,
}

/// <summary>
/// A materialised RESP value, for tools, tests and the control plane (never the proxy's hot path,
/// which forwards bytes untouched). Maps keep their pairs flattened in <see cref="Items"/>.
/// </summary>
public sealed class RespValue
{
    public RespKind Kind { get; init; }

    /// <summary>Payload of strings, errors, verbatim strings and big numbers.</summary>
    public byte[]? Bytes { get; init; }

    public long Integer { get; init; }

    public double Double { get; init; }

    public bool Boolean { get; init; }

    /// <summary>Elements of arrays, sets and pushes; key, value, key, value... for maps.</summary>
    public IReadOnlyList<RespValue>? Items { get; init; }

    public bool IsError => Kind == RespKind.Error;

    public bool IsNull => Kind == RespKind.Null;

    /// <summary>The payload as UTF-8 text (strings, errors), or the number as text; null for null.</summary>
    public string? AsString() => throw new NotImplementedException();

    /// <summary>A readable rendering in redis-cli's style, for test failure messages.</summary>
    public override string ToString() => throw new NotImplementedException();
}
