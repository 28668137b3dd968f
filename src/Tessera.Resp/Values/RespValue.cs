using System.Globalization;
using System.Text;
using Tessera.Resp.Protocol;

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
/// Values compare by content (kind and payload, recursively), which keeps test assertions short.
/// </summary>
public sealed class RespValue : IEquatable<RespValue>
{
    public RespKind Kind { get; init; }

    /// <summary>Payload of strings, errors, verbatim strings (without the "txt:" prefix) and big numbers (their digits).</summary>
    public byte[]? Bytes { get; init; }

    public long Integer { get; init; }

    public double Double { get; init; }

    public bool Boolean { get; init; }

    /// <summary>Elements of arrays, sets and pushes; key, value, key, value... for maps.</summary>
    public IReadOnlyList<RespValue>? Items { get; init; }

    /// <summary>The three-letter format of a verbatim string ("txt", "mkd"); null for other kinds.</summary>
    public string? VerbatimFormat { get; init; }

    public bool IsError => Kind == RespKind.Error;

    public bool IsNull => Kind == RespKind.Null;

    /// <summary>True for the "+OK" status reply.</summary>
    public bool IsOk => Kind == RespKind.SimpleString && Bytes is [(byte)'O', (byte)'K'];

    /// <summary>True for arrays, maps, sets and pushes, whose content is in <see cref="Items"/>.</summary>
    public bool IsAggregate => Kind is RespKind.Array or RespKind.Map or RespKind.Set or RespKind.Push;

    /// <summary>The null value (RESP2 "$-1"/"*-1", RESP3 "_").</summary>
    public static RespValue Null { get; } = new() { Kind = RespKind.Null };

    public static RespValue CreateSimpleString(string text) => new() { Kind = RespKind.SimpleString, Bytes = Encoding.UTF8.GetBytes(text) };

    /// <summary>An error reply; <paramref name="message"/> carries its prefix, e.g. "ERR unknown command".</summary>
    public static RespValue CreateError(string message) => new() { Kind = RespKind.Error, Bytes = Encoding.UTF8.GetBytes(message) };

    public static RespValue CreateInteger(long value) => new() { Kind = RespKind.Integer, Integer = value };

    public static RespValue CreateBulkString(string text) => new() { Kind = RespKind.BulkString, Bytes = Encoding.UTF8.GetBytes(text) };

    public static RespValue CreateBulkString(byte[] bytes) => new() { Kind = RespKind.BulkString, Bytes = bytes };

    public static RespValue CreateDouble(double value) => new() { Kind = RespKind.Double, Double = value };

    public static RespValue CreateBoolean(bool value) => new() { Kind = RespKind.Boolean, Boolean = value };

    /// <summary>A big number from its decimal digits, e.g. "3492890328409238509324850943850943825024385".</summary>
    public static RespValue CreateBigNumber(string digits) => new() { Kind = RespKind.BigNumber, Bytes = Encoding.UTF8.GetBytes(digits) };

    public static RespValue CreateVerbatim(string text, string format = "txt") =>
        new() { Kind = RespKind.Verbatim, Bytes = Encoding.UTF8.GetBytes(text), VerbatimFormat = format };

    public static RespValue CreateArray(params RespValue[] items) => new() { Kind = RespKind.Array, Items = items };

    /// <summary>A map from its pairs flattened: key, value, key, value...</summary>
    public static RespValue CreateMap(params RespValue[] keysAndValues)
    {
        if (keysAndValues.Length % 2 != 0)
        {
            throw new ArgumentException($"A map needs key/value pairs, but {keysAndValues.Length} items were given.", nameof(keysAndValues));
        }

        return new() { Kind = RespKind.Map, Items = keysAndValues };
    }

    public static RespValue CreateSet(params RespValue[] items) => new() { Kind = RespKind.Set, Items = items };

    public static RespValue CreatePush(params RespValue[] items) => new() { Kind = RespKind.Push, Items = items };

    /// <summary>The payload as UTF-8 text (strings, errors), or the number as text; null for null.</summary>
    /// <exception cref="InvalidOperationException">The value is an aggregate.</exception>
    public string? AsString() => Kind switch
    {
        RespKind.Null => null,
        RespKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        RespKind.Double => FormatDouble(Double),
        RespKind.Boolean => Boolean ? "true" : "false",
        RespKind.Array or RespKind.Map or RespKind.Set or RespKind.Push =>
            throw new InvalidOperationException($"A {Kind} reply has no single string value; read its Items instead. The reply was: {this}"),
        _ => Encoding.UTF8.GetString(Bytes ?? []),
    };

    /// <summary>The value as an integer: integers, booleans (1/0), and strings or doubles holding a whole number.</summary>
    /// <exception cref="InvalidOperationException">The value is not a whole number.</exception>
    public long AsInt64()
    {
        switch (Kind)
        {
            case RespKind.Integer:
                return Integer;
            case RespKind.Boolean:
                return Boolean ? 1 : 0;
            case RespKind.Double when Double == Math.Floor(Double) && Math.Abs(Double) < 9.2e18:
                return (long)Double;
            case RespKind.SimpleString or RespKind.BulkString or RespKind.BigNumber
                when long.TryParse(Bytes, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed):
                return parsed;
            default:
                throw new InvalidOperationException($"Expected an integer reply but got {this}.");
        }
    }

    /// <summary>The value as a double: doubles, integers, and strings holding a number ("inf", "-inf" and "nan" included).</summary>
    /// <exception cref="InvalidOperationException">The value is not a number.</exception>
    public double AsDouble()
    {
        switch (Kind)
        {
            case RespKind.Double:
                return Double;
            case RespKind.Integer:
                return Integer;
            case RespKind.SimpleString or RespKind.BulkString or RespKind.BigNumber when Bytes is not null && TryParseDouble(Bytes, out double parsed):
                return parsed;
            default:
                throw new InvalidOperationException($"Expected a numeric reply but got {this}.");
        }
    }

    /// <summary>Parses Redis's double text: "inf", "-inf", "+inf", "nan" or an invariant floating-point number.</summary>
    internal static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        if (text.SequenceEqual("inf"u8) || text.SequenceEqual("+inf"u8))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (text.SequenceEqual("-inf"u8))
        {
            value = double.NegativeInfinity;
            return true;
        }

        if (text.SequenceEqual("nan"u8) || text.SequenceEqual("-nan"u8))
        {
            value = double.NaN;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static string FormatDouble(double value)
    {
        Span<byte> text = stackalloc byte[RespWriter.MaxDoubleLength];
        int written = RespWriter.FormatDouble(value, text);
        return Encoding.ASCII.GetString(text[..written]);
    }

    /// <summary>A readable rendering in redis-cli's style, for test failure messages.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        Format(builder, this, "");
        return builder.ToString(0, builder.Length - 1);
    }

    /// <summary>Appends one value and a newline; <paramref name="prefix"/> indents the second and later lines of aggregates.</summary>
    private static void Format(StringBuilder builder, RespValue value, string prefix)
    {
        switch (value.Kind)
        {
            case RespKind.SimpleString:
            case RespKind.Verbatim:
                // redis-cli prints status replies and verbatim text (INFO in RESP3) unquoted.
                builder.Append(value.AsString());
                break;
            case RespKind.Error:
                builder.Append("(error) ").Append(value.AsString());
                break;
            case RespKind.Integer:
                builder.Append("(integer) ").Append(value.AsString());
                break;
            case RespKind.Double:
                builder.Append("(double) ").Append(value.AsString());
                break;
            case RespKind.BigNumber:
                builder.Append("(big number) ").Append(value.AsString());
                break;
            case RespKind.Boolean:
                builder.Append(value.Boolean ? "(true)" : "(false)");
                break;
            case RespKind.Null:
                builder.Append("(nil)");
                break;
            case RespKind.BulkString:
                AppendQuoted(builder, value.Bytes ?? []);
                break;
            default:
                FormatAggregate(builder, value, prefix);
                return;
        }

        builder.Append('\n');
    }

    private static void FormatAggregate(StringBuilder builder, RespValue value, string prefix)
    {
        IReadOnlyList<RespValue> items = value.Items ?? [];
        bool isMap = value.Kind == RespKind.Map;
        int entries = isMap ? items.Count / 2 : items.Count;
        if (entries == 0)
        {
            builder.Append(value.Kind switch
            {
                RespKind.Map => "(empty hash)\n",
                RespKind.Set => "(empty set)\n",
                RespKind.Push => "(empty push)\n",
                _ => "(empty array)\n",
            });
            return;
        }

        // Like redis-cli: indexes right-aligned to the widest one, nested lines indented past "N) ".
        int width = entries.ToString(CultureInfo.InvariantCulture).Length;
        string nested = prefix + new string(' ', width + 2);
        char separator = value.Kind switch { RespKind.Map => '#', RespKind.Set => '~', _ => ')' };
        for (int i = 0; i < entries; i++)
        {
            if (i > 0)
            {
                builder.Append(prefix);
            }

            builder.Append((i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(separator).Append(' ');
            if (isMap)
            {
                Format(builder, items[2 * i], nested);
                builder.Length--;
                builder.Append(" => ");
                Format(builder, items[(2 * i) + 1], nested);
            }
            else
            {
                Format(builder, items[i], nested);
            }
        }
    }

    /// <summary>redis-cli's quoting (sdscatrepr): printable ASCII as is, common escapes, other bytes as \xHH.</summary>
    private static void AppendQuoted(StringBuilder builder, byte[] bytes)
    {
        builder.Append('"');
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'\\': builder.Append("\\\\"); break;
                case (byte)'"': builder.Append("\\\""); break;
                case (byte)'\n': builder.Append("\\n"); break;
                case (byte)'\r': builder.Append("\\r"); break;
                case (byte)'\t': builder.Append("\\t"); break;
                case 7: builder.Append("\\a"); break;
                case 8: builder.Append("\\b"); break;
                case >= 0x20 and <= 0x7e: builder.Append((char)b); break;
                default: builder.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture)); break;
            }
        }

        builder.Append('"');
    }

    public bool Equals(RespValue? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other.Kind != Kind || other.Integer != Integer || !other.Double.Equals(Double)
            || other.Boolean != Boolean || other.VerbatimFormat != VerbatimFormat)
        {
            return false;
        }

        if (!(Bytes ?? []).AsSpan().SequenceEqual(other.Bytes ?? []))
        {
            return false;
        }

        IReadOnlyList<RespValue> items = Items ?? [];
        IReadOnlyList<RespValue> otherItems = other.Items ?? [];
        if (items.Count != otherItems.Count)
        {
            return false;
        }

        for (int i = 0; i < items.Count; i++)
        {
            if (!items[i].Equals(otherItems[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as RespValue);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(Integer);
        hash.Add(Double);
        hash.Add(Boolean);
        hash.AddBytes(Bytes ?? []);
        hash.Add(Items?.Count ?? 0);
        return hash.ToHashCode();
    }
}
