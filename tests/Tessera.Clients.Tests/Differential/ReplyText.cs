using System.Text;

namespace Tessera.Clients.Tests.Differential;

/// <summary>Reply bytes for failure messages.</summary>
public static class ReplyText
{
    /// <summary>The bytes as one readable line: CR and LF shown as \r \n, other control and non-ASCII bytes as \xNN.</summary>
    public static string Escape(byte[] bytes)
    {
        var text = new StringBuilder(bytes.Length + 16);
        foreach (byte b in bytes)
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\\' => "\\\\",
                < 0x20 or >= 0x7f => $"\\x{b:x2}",
                _ => ((char)b).ToString(),
            });
        }

        return text.ToString();
    }
}
