using System.Globalization;
using Tessera.Resp.Protocol;
using Tessera.Resp.Values;

namespace Tessera.Resp.Client;

/// <summary>
/// Resumable framing of one reply in a contiguous buffer, for <see cref="RespClient"/>: it keeps how far it
/// walked and how many values are still expected, so each call only looks at bytes that arrived since the last.
/// </summary>
internal struct ReplyFrameScanner
{
    /// <summary>Bytes of the current reply walked so far (whole values only).</summary>
    private int _scanned;

    /// <summary>Values still expected before the reply is complete; 0 between replies.</summary>
    private long _expected;

    /// <summary>
    /// Finds where the reply at the start of <paramref name="data"/> ends without materialising it, resuming
    /// where the previous call stopped, so a large reply arriving in many reads is walked once, not once per read.
    /// Only framing is checked here; <see cref="RespValueReader"/> validates the content.
    /// </summary>
    public ParseStatus TryScan(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (_expected == 0)
        {
            _expected = 1;
            _scanned = 0;
        }

        while (_expected > 0)
        {
            ReadOnlySpan<byte> rest = data[_scanned..];
            int lineEnd = rest.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                // A header without CRLF after 64 bytes is garbage; text lines (+, -) may be long.
                return rest.Length > 64 && rest[0] is not ((byte)'+' or (byte)'-') ? ParseStatus.Error : ParseStatus.Incomplete;
            }

            if (lineEnd == 0)
            {
                return ParseStatus.Error;
            }

            byte type = rest[0];
            ReadOnlySpan<byte> line = rest[1..lineEnd];
            long count = 0;
            if (type is not ((byte)'+' or (byte)'-' or (byte)':' or (byte)'_' or (byte)',' or (byte)'#' or (byte)'(')
                && (!long.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count) || count < -1))
            {
                return ParseStatus.Error;
            }

            int advance = lineEnd + 2;
            switch (type)
            {
                case (byte)'+' or (byte)'-' or (byte)':' or (byte)'_' or (byte)',' or (byte)'#' or (byte)'(':
                    _expected--;
                    break;
                case (byte)'$' or (byte)'!' or (byte)'=':
                    if (count >= 0)
                    {
                        if (count > RespValueReader.MaxBulkLength)
                        {
                            return ParseStatus.Error;
                        }

                        if (rest.Length - advance < count + 2)
                        {
                            return ParseStatus.Incomplete;
                        }

                        advance += (int)count + 2;
                    }

                    _expected--;
                    break;
                case (byte)'*' or (byte)'~' or (byte)'>':
                    // "*-1" is a RESP2 null: one value, no elements.
                    _expected += Math.Max(count, 0) - 1;
                    break;
                case (byte)'%':
                    _expected += (2 * Math.Max(count, 0)) - 1;
                    break;
                case (byte)'|':
                    // Attribute pairs come first; the value they describe is still expected.
                    _expected += 2 * Math.Max(count, 0);
                    break;
                default:
                    return ParseStatus.Error;
            }

            _scanned += advance;
        }

        length = _scanned;
        _scanned = 0;
        return ParseStatus.Complete;
    }
}
