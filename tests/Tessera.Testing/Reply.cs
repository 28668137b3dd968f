using Tessera.Resp.Values;

namespace Tessera.Testing;

/// <summary>Assertions on replies that print the reply when they fail.</summary>
public static class Reply
{
    public static void Ok(RespValue value) => Assert.True(value.Kind == RespKind.SimpleString && value.AsString() == "OK", $"expected OK, got {value}");

    public static void Text(string expected, RespValue value) => Assert.True(value.AsString() == expected && !value.IsError, $"expected \"{expected}\", got {value}");

    public static void Integer(long expected, RespValue value) => Assert.True(value.Kind == RespKind.Integer && value.Integer == expected, $"expected (integer) {expected}, got {value}");

    public static void Null(RespValue value) => Assert.True(value.IsNull, $"expected (nil), got {value}");

    public static void Error(string startsWith, RespValue value) =>
        Assert.True(value.IsError && value.AsString()!.StartsWith(startsWith, StringComparison.Ordinal), $"expected an error starting with \"{startsWith}\", got {value}");

    /// <summary>An array reply as strings, nulls shown as "(nil)".</summary>
    public static string[] Strings(RespValue value)
    {
        Assert.True(value.Items is not null, $"expected an array, got {value}");
        return value.Items!.Select(i => i.AsString() ?? "(nil)").ToArray();
    }
}
