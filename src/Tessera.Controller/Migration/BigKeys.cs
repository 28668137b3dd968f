using System.Text;

namespace Tessera.Controller.Migration;

/// <summary>Showing keys (which are bytes) to people.</summary>
internal static class BigKeys
{
    /// <summary>Longest key shown in full; longer ones are cut with "…".</summary>
    private const int MaxShown = 200;

    /// <summary>The key as text: printable ASCII as is, backslash and every other byte as \xHH (like redis-cli).</summary>
    public static string Printable(ReadOnlySpan<byte> key)
    {
        var text = new StringBuilder(Math.Min(key.Length, MaxShown) + 8);
        foreach (var b in key.Length > MaxShown ? key[..MaxShown] : key)
        {
            if (b is >= 0x20 and <= 0x7e && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return key.Length > MaxShown ? text.Append('…').ToString() : text.ToString();
    }
}
